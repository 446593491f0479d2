#include "gui/comparison_model.hpp"

#include <QBrush>
#include <QColor>
#include <QFont>

namespace llmsim::gui {

void ComparisonModel::set_rows(std::vector<ComparisonRow> rows,
                               std::vector<std::string> case_names) {
  beginResetModel();
  rows_ = std::move(rows);
  names_ = std::move(case_names);
  endResetModel();
}

int ComparisonModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int ComparisonModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(names_.size());
}

QVariant ComparisonModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid()) return {};
  const ComparisonRow& row = rows_[index.row()];
  const auto& v = row.values[index.column()];
  const bool best = row.best[index.column()];
  switch (role) {
    case Qt::DisplayRole:
      return v ? QString::fromStdString(row.format(index.column())) : QString("-");
    case Qt::UserRole: return v ? QVariant(*v) : QVariant();
    case Qt::TextAlignmentRole: return int(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::FontRole: {
      QFont f;
      f.setBold(best);
      return f;
    }
    case Qt::BackgroundRole: return best ? QBrush(QColor("#cdeccd")) : QVariant();
    case Qt::ToolTipRole:
      if (best) return QString("best (%1 is better)").arg(row.lower_is_better ? "lower" : "higher");
      if (!row.ranked) return QString("published figure, shown beside the simulation");
      return {};
    default: return {};
  }
}

QVariant ComparisonModel::headerData(int section, Qt::Orientation o, int role) const {
  if (role != Qt::DisplayRole) return {};
  if (o == Qt::Horizontal) return QString::fromStdString(names_[section]);
  return QString::fromStdString(rows_[section].metric);
}

}  // namespace llmsim::gui
