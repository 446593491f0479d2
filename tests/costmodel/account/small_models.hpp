#pragma once
// Small dense models for the account and memory tests: MHA (kv heads = heads), head_dim =
// hidden / heads, SwiGLU FFN, RMSNorm, untied embeddings (ModelSpec's defaults).

#include <string>
#include <utility>

#include "costmodel/describe/model_spec.hpp"

namespace llmsim::test {

inline ModelSpec small_dense_model(std::string name, int layers, int hidden, int heads, int ffn,
                                   int vocab) {
  ModelSpec m;
  m.name = std::move(name);
  m.layers = layers;
  m.hidden = hidden;
  m.heads = heads;
  m.kv_heads = heads;
  m.head_dim = hidden / heads;
  m.ffn = ffn;
  m.vocab = vocab;
  return m;
}

}  // namespace llmsim::test
