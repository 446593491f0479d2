#include "gui/comparison_model.hpp"

#include <QBrush>
#include <QColor>
#include <QFont>

namespace llmsim::gui {

namespace {

const QColor kBestBackground("#cdeccd");
const QColor kNoFitText("#b00020");
const QColor kNoFitBackground("#fbe3e6");

}  // namespace

void ComparisonModel::set_comparison(Comparison c) {
  beginResetModel();
  comparison_ = std::move(c);
  endResetModel();
}

int ComparisonModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(comparison_.rows.size());
}

int ComparisonModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(comparison_.cases.size());
}

QVariant ComparisonModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid()) return {};
  const ComparisonRow& row = comparison_.rows[static_cast<std::size_t>(index.row())];
  const auto col = static_cast<std::size_t>(index.column());
  const auto& v = row.values[col];
  const bool best = row.best[col];
  const CaseMemory& mem = comparison_.memory[col];
  switch (role) {
    case Qt::DisplayRole: return v ? QString::fromStdString(row.format(col)) : QString("-");
    case Qt::UserRole: return v ? QVariant(*v) : QVariant();
    case Qt::TextAlignmentRole: return int(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::FontRole: {
      QFont f;
      f.setBold(best);
      return f;
    }
    case Qt::ForegroundRole: return mem.fits ? QVariant() : QBrush(kNoFitText);
    case Qt::BackgroundRole:
      if (!mem.fits) return QBrush(kNoFitBackground);
      return best ? QBrush(kBestBackground) : QVariant();
    case Qt::ToolTipRole:
      if (!mem.fits) {
        return QString("does not fit in GPU memory: %1; never marked best")
            .arg(QString::fromStdString(mem.over_text()));
      }
      if (best) return QString("best (%1 is better)").arg(row.lower_is_better ? "lower" : "higher");
      if (!row.ranked) return QString("published figure, shown beside the simulation");
      return {};
    default: return {};
  }
}

QVariant ComparisonModel::headerData(int section, Qt::Orientation o, int role) const {
  const auto i = static_cast<std::size_t>(section);
  if (o == Qt::Vertical) {
    return role == Qt::DisplayRole ? QString::fromStdString(comparison_.rows[i].name) : QVariant();
  }
  const CaseMemory& mem = comparison_.memory[i];
  switch (role) {
    case Qt::DisplayRole: {
      QString name = QString::fromStdString(comparison_.cases[i]);
      if (!mem.fits) name += "\ndoes not fit: " + QString::fromStdString(mem.over_text());
      return name;
    }
    case Qt::ForegroundRole: return mem.fits ? QVariant() : QBrush(kNoFitText);
    case Qt::ToolTipRole:
      return mem.fits ? QVariant() : QString("does not fit in GPU memory: ") +
                                         QString::fromStdString(mem.over_text());
    default: return {};
  }
}

}  // namespace llmsim::gui
