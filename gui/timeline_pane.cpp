#include "gui/timeline_pane.hpp"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "gui/timeline_widget.hpp"

namespace llmsim::gui {

TimelinePane::TimelinePane(QWidget* parent) : QWidget(parent) {
  timeline_ = new TimelineWidget;
  search_ = new QLineEdit;
  search_->setPlaceholderText("search ops: F 3, BW, F 3 | BW");
  search_->setClearButtonEnabled(true);
  search_->setToolTip("Ops whose name contains this text stay bright; the others dim");
  search_->setMaximumWidth(260);
  matches_ = new QLabel;
  critical_ = new QCheckBox("Critical path");
  critical_->setToolTip("Frame the chain of operations that sets each schedule's makespan");
  auto* fold = new QPushButton("Fold all");
  fold->setToolTip("One summary row per schedule (right-click a row: fold one, hide a rank)");
  auto* unfold = new QPushButton("Unfold all");
  auto* fit = new QPushButton("Fit");
  measure_ = new QLabel("drag: pan   wheel, W/S: zoom   A/D: pan   shift+drag: measure");
  measure_->setStyleSheet("color: #555555;");

  auto* tools = new QHBoxLayout;
  tools->setContentsMargins(4, 2, 4, 0);
  tools->addWidget(search_);
  tools->addWidget(matches_);
  tools->addWidget(critical_);
  tools->addWidget(fold);
  tools->addWidget(unfold);
  tools->addWidget(fit);
  tools->addStretch(1);
  tools->addWidget(measure_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addLayout(tools);
  layout->addWidget(timeline_, 1);

  connect(search_, &QLineEdit::textChanged, this, [this](const QString& text) {
    const std::size_t n = timeline_->set_search(text);
    matches_->setText(text.trimmed().isEmpty() ? QString() : QString("%1 matches").arg(n));
  });
  connect(critical_, &QCheckBox::toggled, timeline_, &TimelineWidget::set_critical_path);
  connect(fold, &QPushButton::clicked, this, [this] {
    for (int c = 0; c < static_cast<int>(timeline_->cases().size()); ++c) {
      timeline_->set_folded(c, true);
    }
  });
  connect(unfold, &QPushButton::clicked, timeline_, &TimelineWidget::show_all_rows);
  connect(fit, &QPushButton::clicked, timeline_, &TimelineWidget::fit_to_window);
  connect(timeline_, &TimelineWidget::measured, measure_, &QLabel::setText);
}

int TimelinePane::preferred_height() const {
  return timeline_->preferred_height() + search_->sizeHint().height() + 6;
}

}  // namespace llmsim::gui
