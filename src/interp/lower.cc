// Lowering: a validator sink that turns each function body into slot code (code.h) in the same
// pass as validation. Operands become frame-slot offsets computed from the static stack height.
#include "interp/lowering_sink.h"

#if __has_include("valid/validator.h")
#include "valid/validator.h"
#define HULL_HAVE_VALIDATOR 1
#endif

namespace hull::interp {

using lowering::LoweringSink;


Result<std::shared_ptr<const ModuleCode>> compile_module(const ModuleDesc& m,
                                                         const std::vector<uint32_t>& type_ids,
                                                         CompileOptions opts) {
  auto mc = std::make_shared<ModuleCode>();
  mc->funcs.resize(m.bodies.size());
  mc->num_imported_funcs = m.num_imported_funcs;
  mc->func_names = m.func_names;
  mc->module_name = m.module_name;
  for (const DataDesc& d : m.datas)
    mc->datas.emplace_back(m.bytes.begin() + d.init.begin, m.bytes.begin() + d.init.end);
#ifdef HULL_HAVE_VALIDATOR
  ModuleInfo info;
  HULL_TRY(validate_module_level(m, &info, opts.features));
  FunctionValidator v(m, info);
  LoweringSink sink(m, type_ids, *mc, opts);
  for (uint32_t i = 0; i < m.bodies.size(); ++i) {
    HULL_TRY(v.validate_function(m.num_imported_funcs + i, sink));
  }
#else
  (void)type_ids;
  (void)opts;
  if (!m.bodies.empty())
    return Error::make(ErrorKind::Limit, "interpreter built without the validator");
#endif
  return std::shared_ptr<const ModuleCode>(std::move(mc));
}

const void* function_code(const ModuleCode& code, uint32_t defined_index) {
  return &code.funcs[defined_index];
}

// For tests and tools that drive the sink themselves.
}  // namespace hull::interp
