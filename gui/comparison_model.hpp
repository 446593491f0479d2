#pragma once
// ComparisonModel: the Qt item model over a Comparison (costmodel/estimate/compare), which
// `llmsim compare` prints too: it computes nothing, it only lays the rows out. The best value
// in each row is bold on green; a case whose plan does not fit in GPU memory is red, its
// header saying by how much it is over.

#include <QAbstractTableModel>

#include "costmodel/estimate/compare/comparison.hpp"

namespace llmsim::gui {

class ComparisonModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  using QAbstractTableModel::QAbstractTableModel;

  void set_comparison(Comparison c);
  const Comparison& comparison() const { return comparison_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  // DisplayRole: the formatted figure; UserRole: the number as --json gives it; ToolTipRole:
  // why a cell is marked.
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

 private:
  Comparison comparison_;
};

}  // namespace llmsim::gui
