#pragma once
// ServingWidget: the compared serving cases side by side: TTFT and TPOT cumulative
// distributions (one line per case, targets dashed) and each case's capacity per node
// (prefill input and decode output tokens/s), with a legend that gives nodes for the daily
// volume, dollars per million output tokens and the share of requests within the targets.

#include <vector>

#include <QWidget>

#include "gui/serving_view.hpp"

namespace llmsim::gui {

class ServingWidget : public QWidget {
  Q_OBJECT

 public:
  explicit ServingWidget(QWidget* parent = nullptr);
  void set_curves(std::vector<ServingCurve> curves);
  const std::vector<ServingCurve>& curves() const { return curves_; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  std::vector<ServingCurve> curves_;
};

}  // namespace llmsim::gui
