#include "gui/links_model.hpp"

#include <QBrush>
#include <QColor>
#include <QFont>

#include "costmodel/estimate/compare/figure_format.hpp"

namespace llmsim::gui {

const char* const kLinkBusyMeaning =
    "Busy: the time the tier's busiest link needs to carry its bytes at full bandwidth "
    "(bytes / link capacity), summed over one step's collectives of the busiest pipeline rank, "
    "exposed or hidden behind compute, each loaded onto the links as the flow model routes it. "
    "Pipeline p2p transfers are not counted. % of step: busy time / step time.";

namespace {

const QColor kBottleneckBackground("#ffe0a3");

QString tier_name(LinkTier t) {
  return QString::fromUtf8(link_tier_name(t).data());
}

// "0.1234 s (12.3% of step)"
QString busy_text(const TierBusyShare& b) {
  return QString("%1 s (%2% of step)")
      .arg(QString::fromStdString(format_grouped(b.busy_s, 4)))
      .arg(QString::fromStdString(format_grouped(100.0 * b.share, 1)));
}

}  // namespace

void LinksModel::set_links(std::vector<std::string> cases, std::vector<StepLinks> links) {
  beginResetModel();
  cases_ = std::move(cases);
  links_ = std::move(links);
  tiers_.clear();
  for (std::size_t i = 0; i < kLinkTiers; ++i) {
    const auto t = static_cast<LinkTier>(i);
    for (const StepLinks& l : links_) {
      if (l.find(t) != nullptr) {
        tiers_.push_back(t);
        break;
      }
    }
  }
  endResetModel();
}

bool LinksModel::is_tier_row(int row) const {
  return row >= 0 && static_cast<std::size_t>(row) < tiers_.size();
}

int LinksModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || links_.empty() ? 0 : static_cast<int>(tiers_.size()) + 1;
}

int LinksModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(links_.size());
}

QVariant LinksModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid()) return {};
  const StepLinks& l = links_[static_cast<std::size_t>(index.column())];
  if (role == Qt::TextAlignmentRole) return int(Qt::AlignRight | Qt::AlignVCenter);
  return is_tier_row(index.row()) ? tier_data(tier(index.row()), l, role)
                                  : bottleneck_data(l, role);
}

QVariant LinksModel::tier_data(LinkTier t, const StepLinks& l, int role) const {
  const TierBusyShare* b = l.find(t);
  const bool neck = l.bottleneck == t;
  switch (role) {
    case Qt::DisplayRole: return b ? busy_text(*b) : QString("no traffic");
    case kBusySecondsRole: return b ? QVariant(b->busy_s) : QVariant();
    case kShareRole: return b ? QVariant(b->share) : QVariant();
    case kBottleneckRole: return neck;
    case Qt::FontRole: {
      QFont f;
      f.setBold(neck);
      return f;
    }
    case Qt::BackgroundRole: return neck ? QBrush(kBottleneckBackground) : QVariant();
    case Qt::ToolTipRole:
      if (!b) return QString("%1: no collective of this case crosses it").arg(tier_name(t));
      return QString("%1%2: its busiest link is busy %3 of the %4 s step.\n%5")
          .arg(tier_name(t), neck ? " (the bottleneck tier)" : "", busy_text(*b),
               QString::fromStdString(format_grouped(l.step_time_s, 3)), kLinkBusyMeaning);
    default: return {};
  }
}

QVariant LinksModel::bottleneck_data(const StepLinks& l, int role) const {
  switch (role) {
    case Qt::DisplayRole:
      return l.bottleneck ? tier_name(*l.bottleneck) : QString("none (no network traffic)");
    case kBottleneckRole: return l.bottleneck ? tier_name(*l.bottleneck) : QString();
    case Qt::FontRole: {
      QFont f;
      f.setBold(true);
      return f;
    }
    case Qt::ToolTipRole:
      return QString("The tier whose busiest link is busy longest over the step%1")
          .arg(l.complete ? "" : "; collectives timed by the closed form are left out");
    default: return {};
  }
}

QVariant LinksModel::headerData(int section, Qt::Orientation o, int role) const {
  const auto i = static_cast<std::size_t>(section);
  if (o == Qt::Vertical) {
    if (role == Qt::ToolTipRole) return QString(kLinkBusyMeaning);
    if (role != Qt::DisplayRole) return {};
    return is_tier_row(section) ? tier_name(tiers_[i]) + ": busiest link busy (s, % of step)"
                                : QString("bottleneck tier");
  }
  switch (role) {
    case Qt::DisplayRole:
      return QString("%1\npipeline rank %2 (the busiest)%3")
          .arg(QString::fromStdString(cases_[i]))
          .arg(links_[i].rank)
          .arg(links_[i].complete ? "" : ", closed-form collectives left out");
    case Qt::ToolTipRole:
      return QString("Collectives of pipeline rank %1, the busiest, over one step of %2 s")
          .arg(links_[i].rank)
          .arg(QString::fromStdString(format_grouped(links_[i].step_time_s, 3)));
    default: return {};
  }
}

}  // namespace llmsim::gui
