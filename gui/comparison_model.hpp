#pragma once
// ComparisonModel: the Qt item model over the Qt-free comparison rows; the best value in each
// row is shown bold on a green background.

#include <string>
#include <vector>

#include <QAbstractTableModel>

#include "gui/comparison.hpp"

namespace llmsim::gui {

class ComparisonModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  using QAbstractTableModel::QAbstractTableModel;

  void set_rows(std::vector<ComparisonRow> rows, std::vector<std::string> case_names);
  const std::vector<ComparisonRow>& rows() const { return rows_; }
  const std::vector<std::string>& case_names() const { return names_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

 private:
  std::vector<ComparisonRow> rows_;
  std::vector<std::string> names_;
};

}  // namespace llmsim::gui
