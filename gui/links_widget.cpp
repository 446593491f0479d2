#include "gui/links_widget.hpp"

#include <algorithm>

#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>

#include "gui/links_model.hpp"

namespace llmsim::gui {

namespace {

const QColor kBar("#5b8def");
const QColor kBottleneckBar("#d9822b");
constexpr int kBarPx = 4;

// Paints the cell as usual, then a bar along its bottom as long as the share of the step
// (full width at 100 %).
class ShareBarDelegate : public QStyledItemDelegate {
 public:
  using QStyledItemDelegate::QStyledItemDelegate;

  void paint(QPainter* p, const QStyleOptionViewItem& option,
             const QModelIndex& index) const override {
    QStyledItemDelegate::paint(p, option, index);
    const QVariant share = index.data(LinksModel::kShareRole);
    if (!share.isValid()) return;
    const QRect r = option.rect.adjusted(4, 0, -4, -2);
    const int w = static_cast<int>(r.width() * std::clamp(share.toDouble(), 0.0, 1.0));
    const bool neck = index.data(LinksModel::kBottleneckRole).toBool();
    p->fillRect(QRect(r.left(), r.bottom() - kBarPx + 1, std::max(w, 1), kBarPx),
                neck ? kBottleneckBar : kBar);
  }
};

QString legend_text() {
  return QString(
             "<b>Link utilization over one step.</b> %1 Each case's <b>bottleneck tier</b> "
             "(busy longest; the first in this order on a tie) is bold on amber; the bar under a "
             "number is its share of the step.")
      .arg(kLinkBusyMeaning);
}

}  // namespace

LinksWidget::LinksWidget(QWidget* parent) : QWidget(parent) {
  model_ = new LinksModel(this);
  table_ = new QTableView;
  table_->setModel(model_);
  table_->setItemDelegate(new ShareBarDelegate(table_));
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  table_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->verticalHeader()->setToolTip(kLinkBusyMeaning);
  legend_ = new QLabel;
  legend_->setWordWrap(true);
  legend_->setToolTip(kLinkBusyMeaning);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(legend_);
  layout->addWidget(table_, 1);
  set_links({}, {});
}

void LinksWidget::set_links(std::vector<std::string> cases, std::vector<StepLinks> links) {
  const bool none = links.empty();
  model_->set_links(std::move(cases), std::move(links));
  table_->setVisible(!none);
  legend_->setText(none ? QString("Link utilization needs a training scenario: open one "
                                  "(File or the Scenario box) and its collectives are placed "
                                  "on the cluster's links.")
                        : legend_text());
}

int LinksWidget::content_height() const {
  const int rows = model_->rowCount();
  const int body = table_->verticalHeader()->count() == rows && rows > 0
                       ? table_->verticalHeader()->length()
                       : rows * table_->verticalHeader()->defaultSectionSize();
  const int table_h = table_->isVisibleTo(this) ? table_->horizontalHeader()->sizeHint().height() +
                                                      body + 2 * table_->frameWidth() + 4
                                                : 0;
  const int legend_w = std::max(width() - 8, 600);
  return legend_->heightForWidth(legend_w) + table_h + 8 + layout()->spacing();
}

}  // namespace llmsim::gui
