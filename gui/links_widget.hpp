#pragma once
// LinksWidget: the Links tab. For each compared case, each link tier's busiest-link busy time
// over one step and its share of the step (LinksModel, a bar under each number), the
// bottleneck tier highlighted, and a legend saying what "busy" means. Schedule experiments
// set by hand have no network: the tab says so.

#include <string>
#include <vector>

#include <QWidget>

#include "costmodel/estimate/compare/step_links.hpp"

class QLabel;
class QTableView;

namespace llmsim::gui {

class LinksModel;

class LinksWidget : public QWidget {
  Q_OBJECT

 public:
  explicit LinksWidget(QWidget* parent = nullptr);

  // `links[i]` is case `cases[i]`'s; none: a schedule experiment, no network.
  void set_links(std::vector<std::string> cases, std::vector<StepLinks> links);
  LinksModel* model() const { return model_; }
  QTableView* table() const { return table_; }
  // The height that shows the legend and every row.
  int content_height() const;

 private:
  LinksModel* model_ = nullptr;
  QTableView* table_ = nullptr;
  QLabel* legend_ = nullptr;
};

}  // namespace llmsim::gui
