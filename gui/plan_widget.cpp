#include "gui/plan_widget.hpp"

#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>

#include <QChart>
#include <QChartView>
#include <QMouseEvent>
#include <QCursor>
#include <QFutureWatcher>
#include <QLocale>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPainter>
#include <QScatterSeries>
#include <QScrollArea>
#include <QSplitter>
#include <QToolTip>
#include <QValueAxis>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "costmodel/read/model_file.hpp"
#include "costmodel/read/scenario.hpp"
#include "gui/timeline_widget.hpp"
#include "sim/check.hpp"

namespace llmsim::gui {

namespace {

PlanSearchOutcome run_plan_search(const std::string& file, const std::vector<std::string>& set,
                                  const std::string& db) {
  PlanSearchOutcome out;
  try {
    if (!db.empty() && is_plan_results(db)) {  // a `llmsim plan --db` file: its own search
      out.view = open_plan_results(db, 2);
      return out;
    }
    const Scenario s = load_scenario(file, set, default_data_dir());
    require_training(s, "llmsim-gui plan search");
    std::ifstream in(file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const auto& o : set) text += "\n--set " + o;
    out.view = search_plans(s, text, small_space(s), db, 2);
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

// "1024, 2048 H800 and 1024 H100": the GPU counts of each type, types in search order.
QString fleet_text(const std::vector<plan::Hardware>& hardware) {
  QStringList types;
  QString type, counts;
  auto flush = [&] {
    if (!type.isEmpty()) types << counts + " " + type;
  };
  for (const auto& h : hardware) {
    const QString t = QString::fromStdString(h.gpu);
    if (t != type) {
      flush();
      type = t;
      counts.clear();
    }
    counts += (counts.isEmpty() ? "" : ", ") + QString::number(h.gpus);
  }
  flush();
  return types.join(" and ");
}

QValueAxis* make_axis(const QString& title, const QString& format) {
  auto* axis = new QValueAxis;
  axis->setTitleText(title);
  axis->setLabelFormat(format);
  return axis;
}

// Padded range of `values` for an axis (a single value gets +-10%).
void fit_axis(QValueAxis* axis, double lo, double hi) {
  const double pad = hi > lo ? 0.06 * (hi - lo) : std::max(0.1 * std::abs(hi), 1.0);
  axis->setRange(std::max(0.0, lo - pad), hi + pad);
  axis->applyNiceNumbers();
}

// Qt Charts 6.4's QChartView::mousePressEvent reads the item under the cursor without checking
// that there is one: a press where the scene has no item (outside the chart's rectangle)
// crashes. This view passes on only presses that land on an item.
class GuardedChartView : public QChartView {
 public:
  using QChartView::QChartView;

 protected:
  void mousePressEvent(QMouseEvent* event) override {
    if (itemAt(event->pos()) == nullptr) {
      event->ignore();
      return;
    }
    QChartView::mousePressEvent(event);
  }
};

}  // namespace

double plot_usd(double usd) { return usd / 1e6; }

PlanWidget::PlanWidget(QWidget* parent) : QWidget(parent) {
  auto* chart = new QChart;
  chart->setTitle("Plan search: days against dollars");
  chart->legend()->setAlignment(Qt::AlignBottom);
  plans_ = new QScatterSeries;
  plans_->setName("feasible plans");
  plans_->setMarkerSize(7);
  plans_->setColor(QColor(120, 144, 176));
  plans_->setBorderColor(QColor(120, 144, 176));
  front_ = new QScatterSeries;
  front_->setName("Pareto front (click a point for its step)");
  front_->setMarkerSize(11);
  front_->setColor(QColor(214, 69, 65));
  front_->setBorderColor(QColor(120, 30, 30));
  selected_series_ = new QScatterSeries;
  selected_series_->setName("selected plan");
  selected_series_->setMarkerSize(18);
  selected_series_->setColor(Qt::transparent);
  selected_series_->setBorderColor(QColor(20, 20, 20));
  auto* line = new QLineSeries;
  line->setName("front");
  line->setColor(QColor(214, 69, 65));
  chart->addSeries(line);
  chart->addSeries(plans_);
  chart->addSeries(front_);
  chart->addSeries(selected_series_);
  auto* x = make_axis("training time (days)", "%.1f");
  auto* y = make_axis("cost (million US$)", "%.2f");
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  for (auto* s : chart->series()) {
    s->attachAxis(x);
    s->attachAxis(y);
  }
  chart->legend()->markers(line).front()->setVisible(false);
  chart_view_ = new GuardedChartView(chart);
  chart_view_->setRenderHint(QPainter::Antialiasing);
  chart_view_->setMinimumHeight(360);

  timeline_ = new TimelineWidget;
  auto* scroll = new QScrollArea;
  scroll->setWidget(timeline_);
  scroll->setWidgetResizable(true);
  breakdown_ = new QLabel("Click a point of the plot: its plan's step shows here.");
  breakdown_->setWordWrap(true);
  breakdown_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  status_ = new QLabel;
  status_->setWordWrap(true);

  auto* lower = new QWidget;
  auto* lower_layout = new QVBoxLayout(lower);
  lower_layout->setContentsMargins(0, 0, 0, 0);
  lower_layout->addWidget(breakdown_);
  lower_layout->addWidget(scroll, 1);
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(chart_view_);
  split->addWidget(lower);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 1);
  split->setSizes({620, 310});  // scaled to the window: two thirds for the plot
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(status_);
  layout->addWidget(split, 1);

  for (bool front : {false, true}) {
    QScatterSeries* s = front ? front_ : plans_;
    connect(s, &QScatterSeries::clicked, this, [this, front](const QPointF& p) {
      on_clicked(p, front);
    });
    connect(s, &QScatterSeries::hovered, this, [this, front](const QPointF& p, bool state) {
      on_hovered(p, state, front);
    });
  }
  watcher_ = new QFutureWatcher<PlanSearchOutcome>(this);
  connect(watcher_, &QFutureWatcher<PlanSearchOutcome>::finished, this,
          [this] { show_outcome(watcher_->result()); });
  setWindowTitle("llmsim-gui: plan search");
}

PlanWidget::~PlanWidget() { watcher_->waitForFinished(); }

void PlanWidget::start_search(const std::string& scenario,
                              const std::vector<std::string>& overrides, const std::string& db) {
  if (watcher_->isRunning()) return;
  status_->setText(scenario.empty()
                       ? QString("Reading the plan search in %1...").arg(QString::fromStdString(db))
                       : QString("Searching the plans of %1...")
                             .arg(QString::fromStdString(scenario)));
  watcher_->setFuture(QtConcurrent::run(run_plan_search, scenario, overrides, db));
}

void PlanWidget::search_now(const std::string& scenario,
                            const std::vector<std::string>& overrides, const std::string& db) {
  show_outcome(run_plan_search(scenario, overrides, db));
}

void PlanWidget::show_outcome(PlanSearchOutcome outcome) {
  error_ = QString::fromStdString(outcome.error);
  if (!outcome.view) {
    status_->setText("<span style='color:#b00020'>" +
                     QString::fromStdString(outcome.error).toHtmlEscaped() + "</span>");
  } else {
    set_view(std::move(*outcome.view));
  }
  emit search_shown();
}

void PlanWidget::set_view(PlanSearchView view) {
  view_ = std::move(view);
  selected_.reset();
  plans_->clear();
  front_->clear();
  selected_series_->clear();
  auto* line = static_cast<QLineSeries*>(chart_view_->chart()->series().front());
  line->clear();
  double x0 = std::numeric_limits<double>::max(), x1 = 0, y0 = x0, y1 = 0;
  for (const PlanPoint& p : view_.points) {
    (p.front ? front_ : plans_)->append(p.days, plot_usd(p.usd));
    x0 = std::min(x0, p.days), x1 = std::max(x1, p.days);
    y0 = std::min(y0, plot_usd(p.usd)), y1 = std::max(y1, plot_usd(p.usd));
  }
  for (std::size_t i : view_.front) {
    const auto& e = view_.outcomes[i]->eval;
    line->append(e.days(), plot_usd(e.cost_usd));
  }
  if (!view_.points.empty()) {
    const auto axes = chart_view_->chart()->axes();
    fit_axis(static_cast<QValueAxis*>(axes[0]), x0, x1);
    fit_axis(static_cast<QValueAxis*>(axes[1]), y0, y1);
  }
  status_->setText(QString("%1: %2 candidates on %3 GPUs, %4 feasible plans plotted, %5 on "
                           "the Pareto front; %6 read back from the store, %7 new")
                       .arg(QString::fromStdString(view_.scenario_name))
                       .arg(QLocale(QLocale::English).toString(qulonglong(view_.candidates.size())))
                       .arg(fleet_text(view_.hardware))
                       .arg(view_.points.size())
                       .arg(view_.front.size())
                       .arg(view_.from_store)
                       .arg(view_.new_outcomes));
}

const PlanPoint* PlanWidget::nearest(const QPointF& value, bool front) const {
  const auto axes = chart_view_->chart()->axes();
  const auto* x = static_cast<QValueAxis*>(axes[0]);
  const auto* y = static_cast<QValueAxis*>(axes[1]);
  const double sx = std::max(x->max() - x->min(), 1e-12), sy = std::max(y->max() - y->min(), 1e-12);
  const PlanPoint* best = nullptr;
  double best_d = std::numeric_limits<double>::max();
  for (const PlanPoint& p : view_.points) {
    if (p.front != front) continue;
    const double d = std::hypot((p.days - value.x()) / sx, (plot_usd(p.usd) - value.y()) / sy);
    if (d < best_d) best = &p, best_d = d;
  }
  return best;
}

void PlanWidget::on_clicked(const QPointF& value, bool front) {
  if (const PlanPoint* p = nearest(value, front)) select(p->candidate);
}

void PlanWidget::on_hovered(const QPointF& value, bool state, bool front) {
  const PlanPoint* p = state ? nearest(value, front) : nullptr;
  if (!p) {
    QToolTip::hideText();
    return;
  }
  QToolTip::showText(QCursor::pos(),
                     QString("%1\n%2 days, $%3")
                         .arg(QString::fromStdString(plan_title(view_.candidates[p->candidate])))
                         .arg(p->days, 0, 'f', 2)
                         .arg(QLocale(QLocale::English).toString(p->usd, 'f', 0)),
                     chart_view_);
}

void PlanWidget::select(std::size_t index) {
  try {
    PlanDetail d = plan_detail(view_, index);
    selected_ = index;
    selected_series_->clear();
    if (const auto& o = view_.outcomes.at(index)) {
      selected_series_->append(o->eval.days(), plot_usd(o->eval.cost_usd));
    }
    QStringList lines;
    for (const auto& l : d.breakdown) lines << QString::fromStdString(l);
    breakdown_->setText(lines.join("\n"));
    timeline_->set_cases({std::move(d.timeline)});
  } catch (const std::exception& e) {
    breakdown_->setText(QString::fromStdString(e.what()));
  }
}

QString PlanWidget::breakdown_text() const { return breakdown_->text(); }

}  // namespace llmsim::gui
