#pragma once
// LinksModel: the Qt item model over each compared case's StepLinks (costmodel's, which
// `llmsim run --links` and run --json's "links" print too): it computes nothing, it only lays
// them out. One row per link tier that any case uses, then the bottleneck tier; one column
// per case. A cell reads "0.1234 s (12.3% of step)"; each case's bottleneck tier is bold on
// amber.

#include <string>
#include <vector>

#include <QAbstractTableModel>

#include "costmodel/estimate/compare/step_links.hpp"

namespace llmsim::gui {

class LinksModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  // Roles beside DisplayRole: the busy time in seconds and its share of the step (a fraction),
  // as run --json's "busy_s" and "utilization" give them; whether the cell is its case's
  // bottleneck tier (the bottleneck row: the tier's name, empty if none).
  static constexpr int kBusySecondsRole = Qt::UserRole;
  static constexpr int kShareRole = Qt::UserRole + 1;
  static constexpr int kBottleneckRole = Qt::UserRole + 2;

  using QAbstractTableModel::QAbstractTableModel;

  // `links[i]` is case `cases[i]`'s.
  void set_links(std::vector<std::string> cases, std::vector<StepLinks> links);
  const std::vector<StepLinks>& links() const { return links_; }
  // The tier of row `row`; the last row (the bottleneck) has none.
  bool is_tier_row(int row) const;
  LinkTier tier(int row) const { return tiers_[static_cast<std::size_t>(row)]; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

 private:
  QVariant tier_data(LinkTier t, const StepLinks& l, int role) const;
  QVariant bottleneck_data(const StepLinks& l, int role) const;

  std::vector<std::string> cases_;
  std::vector<StepLinks> links_;
  std::vector<LinkTier> tiers_;  // the rows: tiers any case uses, in tier order
};

// What "busy" means, for tooltips and the legend.
extern const char* const kLinkBusyMeaning;

}  // namespace llmsim::gui
