// `hull inspect [--json] FILE`: what a module declares (imports and exports with their types,
// functions, memories, tables, globals, tags, segments, start, custom sections) and whether it
// validates, without instantiating it. A module that decodes but does not validate is still
// described, then the validation error is printed and the exit status is 1. A component is
// described by its world in WIT (component_wit.h), or the same items as JSON.
#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

#include "binary/decoder.h"
#include "commands.h"
#include "commands_inspect.h"
#include "component_cli.h"
#include "component_wit.h"
#include "engine/precompiled.h"
#include "feature_flags.h"
#include "file_util.h"
#include "valid/validator.h"

namespace hull::cli {

namespace {

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

std::string func_sig(const FuncType& ft) {
  auto list = [](const std::vector<ValType>& ts) {
    std::string s = "(";
    for (size_t i = 0; i < ts.size(); ++i) s += (i ? ", " : "") + to_string(ts[i]);
    return s + ")";
  };
  return list(ft.params) + " -> " + list(ft.results);
}

// The signature of function type index IDX, or a placeholder when the index is bad (an
// invalid module is described too).
std::string type_sig(const ModuleDesc& m, uint32_t idx) {
  if (idx >= m.types.size()) return "<unknown type " + std::to_string(idx) + ">";
  if (m.types[idx].kind != CompositeKind::Func) return "<type " + std::to_string(idx) + ">";
  return func_sig(m.types[idx].func);
}

std::string limits_str(const Limits& l) {
  std::string s = std::to_string(l.min) + "..";
  s += l.max ? std::to_string(*l.max) : "unbounded";
  if (l.is64) s += " i64";
  if (l.shared) s += " shared";
  return s;
}

std::string memory_str(const MemoryType& t) {
  std::string s = "pages " + limits_str(t.limits);
  if (t.page_size_log2 != 16) s += " page-size " + std::to_string(uint64_t(1) << t.page_size_log2);
  return s;
}

std::string table_str(const TableType& t) { return to_string(t.elem) + " " + limits_str(t.limits); }

std::string global_str(const GlobalType& g) { return (g.mut ? "mut " : "") + to_string(g.type); }

// The import that defines entry IDX of KIND's index space, if it is imported.
const Import* import_of(const ModuleDesc& m, ExternKind kind, uint32_t idx) {
  uint32_t seen = 0;
  for (const Import& im : m.imports) {
    if (im.kind != kind) continue;
    if (seen++ == idx) return &im;
  }
  return nullptr;
}

std::string func_name(const ModuleDesc& m, uint32_t idx) {
  auto it = m.func_names.find(idx);
  return it == m.func_names.end() ? std::string() : it->second;
}

// The type of what export E names, in the same words as the sections below.
std::string export_type(const ModuleDesc& m, const Export& e) {
  switch (e.kind) {
    case ExternKind::Func:
      return e.index < m.func_types.size() ? type_sig(m, m.func_types[e.index]) : "<unknown>";
    case ExternKind::Table:
      return e.index < m.tables.size() ? table_str(m.tables[e.index]) : "<unknown>";
    case ExternKind::Memory:
      return e.index < m.memories.size() ? memory_str(m.memories[e.index]) : "<unknown>";
    case ExternKind::Global:
      return e.index < m.globals.size() ? global_str(m.globals[e.index]) : "<unknown>";
    case ExternKind::Tag:
      return e.index < m.tags.size() ? type_sig(m, m.tags[e.index]) : "<unknown>";
  }
  return "";
}

std::string import_type(const ModuleDesc& m, const Import& im) {
  switch (im.kind) {
    case ExternKind::Func:
    case ExternKind::Tag: return type_sig(m, im.type_index);
    case ExternKind::Table: return table_str(im.table);
    case ExternKind::Memory: return memory_str(im.memory);
    case ExternKind::Global: return global_str(im.global);
  }
  return "";
}

struct SegmentCounts {
  size_t active = 0, passive = 0, declarative = 0;
  uint64_t payload = 0;  // data bytes or element items
};

SegmentCounts count_data(const ModuleDesc& m) {
  SegmentCounts c;
  for (const DataDesc& d : m.datas) {
    (d.mode == SegmentMode::Active ? c.active : c.passive)++;
    c.payload += d.init.size();
  }
  return c;
}

SegmentCounts count_elems(const ModuleDesc& m) {
  SegmentCounts c;
  for (const ElemDesc& e : m.elems) {
    (e.mode == SegmentMode::Active    ? c.active
     : e.mode == SegmentMode::Passive ? c.passive
                                      : c.declarative)++;
    c.payload += e.count();
  }
  return c;
}

uint64_t code_bytes(const ModuleDesc& m) {
  uint64_t n = 0;
  for (const FuncBody& b : m.bodies) n += b.whole.size();
  return n;
}

// ---- text ----------------------------------------------------------------------------------

// "memories   N" and a line per entry of that index space: its type and, if imported, from where.
template <class T>
void print_space(const ModuleDesc& m, const char* title, ExternKind kind,
                 const std::vector<T>& types, std::string (*describe)(const T&)) {
  std::printf("%-10s %zu\n", title, types.size());
  for (uint32_t i = 0; i < types.size(); ++i) {
    const Import* im = import_of(m, kind, i);
    const std::string from = im ? " (imported " + im->module + "." + im->name + ")" : "";
    std::printf("  %s %u  %s%s\n", extern_kind_name(kind), i, describe(types[i]).c_str(),
                from.c_str());
  }
}

void print_text(const std::string& file, const ModuleDesc& m, const Status& valid) {
  std::printf("file       %s (%zu bytes)\n", file.c_str(), m.bytes.size());
  if (!m.module_name.empty()) std::printf("name       %s\n", m.module_name.c_str());
  std::printf("valid      %s\n", valid ? "yes" : "no");
  std::printf("types      %zu\n", m.types.size());
  std::printf("imports    %zu\n", m.imports.size());
  for (const Import& im : m.imports) {
    std::printf("  %-7s  %s.%s %s\n", extern_kind_name(im.kind), im.module.c_str(), im.name.c_str(),
                import_type(m, im).c_str());
  }
  std::printf("exports    %zu\n", m.exports.size());
  for (const Export& e : m.exports) {
    std::string target = std::string(extern_kind_name(e.kind)) + " " + std::to_string(e.index);
    if (e.kind == ExternKind::Func) {
      const std::string n = func_name(m, e.index);
      if (!n.empty()) target += " \"" + n + "\"";
    }
    std::printf("  %-7s  %s = %s %s\n", extern_kind_name(e.kind), e.name.c_str(), target.c_str(),
                export_type(m, e).c_str());
  }
  std::printf("functions  %u (%u imported), %" PRIu64 " bytes of code\n", m.num_funcs(),
              m.num_imported_funcs, code_bytes(m));
  print_space(m, "memories", ExternKind::Memory, m.memories, memory_str);
  print_space(m, "tables", ExternKind::Table, m.tables, table_str);
  print_space(m, "globals", ExternKind::Global, m.globals, global_str);
  std::printf("tags       %zu\n", m.tags.size());
  if (m.start) {
    const std::string n = func_name(m, *m.start);
    std::printf("start      func %u%s\n", *m.start, n.empty() ? "" : (" \"" + n + "\"").c_str());
  }
  const SegmentCounts d = count_data(m);
  std::printf("data       %zu segments (%zu active, %zu passive), %" PRIu64 " bytes\n",
              m.datas.size(), d.active, d.passive, d.payload);
  const SegmentCounts e = count_elems(m);
  std::printf("elements   %zu segments (%zu active, %zu passive, %zu declarative), %" PRIu64
              " items\n",
              m.elems.size(), e.active, e.passive, e.declarative, e.payload);
  std::printf("custom     %zu\n", m.customs.size());
  for (const CustomSection& c : m.customs)
    std::printf("  %s (%zu bytes)\n", c.name.c_str(), c.contents.size());
}

// ---- JSON ----------------------------------------------------------------------------------

std::string json_str(const std::string& s) {
  std::string out = "\"";
  for (unsigned char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (ch < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", ch);
          out += buf;
        } else {
          out += static_cast<char>(ch);  // names are valid UTF-8 (the decoder checks)
        }
    }
  }
  return out + "\"";
}

template <class T, class F>
std::string json_array(const std::vector<T>& items, F&& one) {
  std::string s = "[";
  for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + one(items[i], i);
  return s + "]";
}

std::string json_import_of(const ModuleDesc& m, ExternKind kind, uint32_t idx) {
  const Import* im = import_of(m, kind, idx);
  return im ? json_str(im->module + "." + im->name) : "null";
}

void print_json(const std::string& file, const ModuleDesc& m, const Status& valid) {
  std::string j = "{";
  j += "\"file\": " + json_str(file) + ", \"bytes\": " + std::to_string(m.bytes.size());
  j += ", \"name\": " + (m.module_name.empty() ? "null" : json_str(m.module_name));
  j += ", \"valid\": " + std::string(valid ? "true" : "false");
  j += ", \"error\": " + (valid ? "null" : json_str(valid.error().to_string()));
  j += ", \"types\": " + std::to_string(m.types.size());
  j += ", \"imports\": " + json_array(m.imports, [&](const Import& im, size_t) {
         return "{\"module\": " + json_str(im.module) + ", \"name\": " + json_str(im.name) +
                ", \"kind\": " + json_str(extern_kind_name(im.kind)) +
                ", \"type\": " + json_str(import_type(m, im)) + "}";
       });
  j += ", \"exports\": " + json_array(m.exports, [&](const Export& e, size_t) {
         return "{\"name\": " + json_str(e.name) +
                ", \"kind\": " + json_str(extern_kind_name(e.kind)) +
                ", \"index\": " + std::to_string(e.index) +
                ", \"type\": " + json_str(export_type(m, e)) + "}";
       });
  j += ", \"functions\": {\"total\": " + std::to_string(m.num_funcs()) +
       ", \"imported\": " + std::to_string(m.num_imported_funcs) +
       ", \"code_bytes\": " + std::to_string(code_bytes(m)) + "}";
  j += ", \"memories\": " + json_array(m.memories, [&](const MemoryType& t, size_t i) {
         return "{\"min\": " + std::to_string(t.limits.min) +
                ", \"max\": " + (t.limits.max ? std::to_string(*t.limits.max) : "null") +
                ", \"i64\": " + (t.limits.is64 ? "true" : "false") +
                ", \"shared\": " + (t.limits.shared ? "true" : "false") +
                ", \"page_size\": " + std::to_string(uint64_t(1) << t.page_size_log2) +
                ", \"import\": " + json_import_of(m, ExternKind::Memory, uint32_t(i)) + "}";
       });
  j += ", \"tables\": " + json_array(m.tables, [&](const TableType& t, size_t i) {
         return "{\"element\": " + json_str(to_string(t.elem)) +
                ", \"min\": " + std::to_string(t.limits.min) +
                ", \"max\": " + (t.limits.max ? std::to_string(*t.limits.max) : "null") +
                ", \"i64\": " + (t.limits.is64 ? "true" : "false") +
                ", \"import\": " + json_import_of(m, ExternKind::Table, uint32_t(i)) + "}";
       });
  j += ", \"globals\": " + json_array(m.globals, [&](const GlobalType& g, size_t i) {
         return "{\"type\": " + json_str(to_string(g.type)) +
                ", \"mutable\": " + (g.mut ? "true" : "false") +
                ", \"import\": " + json_import_of(m, ExternKind::Global, uint32_t(i)) + "}";
       });
  j += ", \"tags\": " + std::to_string(m.tags.size());
  j += ", \"start\": " + (m.start ? std::to_string(*m.start) : "null");
  const SegmentCounts d = count_data(m);
  j += ", \"data\": {\"active\": " + std::to_string(d.active) +
       ", \"passive\": " + std::to_string(d.passive) + ", \"bytes\": " + std::to_string(d.payload) +
       "}";
  const SegmentCounts e = count_elems(m);
  j += ", \"elements\": {\"active\": " + std::to_string(e.active) +
       ", \"passive\": " + std::to_string(e.passive) +
       ", \"declarative\": " + std::to_string(e.declarative) +
       ", \"items\": " + std::to_string(e.payload) + "}";
  j += ", \"custom_sections\": " + json_array(m.customs, [&](const CustomSection& c, size_t) {
         return "{\"name\": " + json_str(c.name) +
                ", \"bytes\": " + std::to_string(c.contents.size()) + "}";
       });
  j += "}";
  std::puts(j.c_str());
}

// ---- components ----------------------------------------------------------------------------

std::string json_component_item(const WitPrinter& wit, const std::string& name,
                                const ac::ExternInfo& x, const ac::ExternInfo* scope) {
  using K = ac::ExternInfo::Kind;
  std::string j = "{\"name\": " + json_str(name) + ", \"kind\": ";
  switch (x.kind) {
    case K::Func:
      j += "\"func\", \"type\": " + json_str(wit.func(x.func, scope));
      j += ", \"params\": " + json_array(x.func.params, [&](const ac::Field& p, size_t) {
             return "{\"name\": " + json_str(p.name) +
                    ", \"type\": " + json_str(wit.type(p.type, scope)) + "}";
           });
      j += ", \"result\": " + (x.func.result ? json_str(wit.type(x.func.result, scope)) : "null");
      break;
    case K::Instance: {
      j += "\"instance\", \"exports\": [";
      for (size_t i = 0; i < x.export_names.size() && i < x.export_types.size(); ++i)
        j += (i ? ", " : "") + json_component_item(wit, x.export_names[i], x.export_types[i], &x);
      j += "]";
      break;
    }
    case K::Type:
      j += std::string(x.resource ? "\"resource\"" : "\"type\"") +
           ", \"definition\": " + json_str(wit.type_definition(name, x, scope));
      break;
    case K::Module: j += "\"module\""; break;
    case K::Component: j += "\"component\""; break;
    case K::Value: j += "\"value\""; break;
  }
  return j + "}";
}

std::string json_component_items(const WitPrinter& wit, const ComponentItems& items) {
  std::string j = "[";
  for (size_t i = 0; i < items.size(); ++i)
    j += (i ? ", " : "") + json_component_item(wit, items[i].first, items[i].second, nullptr);
  return j + "]";
}

}  // namespace

int inspect_component(const std::string& file, bool json, const WasmFeatures& features) {
  auto bytes = read_component_bytes(file);
  if (!bytes) {
    std::fprintf(stderr, "error: %s\n", bytes.error().message.c_str());
    return kExitError;
  }
  api::Config config;
  apply_to(features, &config);
  auto engine = api::Engine::create(config);
  if (!engine) {
    std::fprintf(stderr, "error: %s\n", engine.error().message.c_str());
    return kExitError;
  }
  auto comp = ac::Component::compile(*engine, *bytes);
  if (!comp) {
    // Decoding and validation are one step here: a component that does not decode has nothing
    // to describe; one that does not validate is described as far as the header goes.
    const bool malformed = comp.error().kind == api::ErrorKind::Malformed;
    const std::string& why = comp.error().message;
    if (!malformed && json) {
      std::printf(
          "{\"file\": %s, \"bytes\": %zu, \"kind\": \"component\", \"valid\": false, "
          "\"error\": %s}\n",
          json_str(file).c_str(), bytes->size(), json_str(why).c_str());
    } else if (!malformed) {
      std::printf("// component %s (%zu bytes), not valid\n", file.c_str(), bytes->size());
    }
    std::fprintf(stderr, "error: %s: %s component: %s\n", file.c_str(),
                 malformed ? "malformed" : "invalid", why.c_str());
    return kExitError;
  }
  const ComponentItems imports = comp->imports();
  const ComponentItems exports = comp->exports();
  const WitPrinter wit(imports, exports, resource_names(*comp));
  if (json) {
    std::printf(
        "{\"file\": %s, \"bytes\": %zu, \"kind\": \"component\", \"valid\": true, "
        "\"error\": null, \"imports\": %s, \"exports\": %s, \"wit\": %s}\n",
        json_str(file).c_str(), bytes->size(), json_component_items(wit, imports).c_str(),
        json_component_items(wit, exports).c_str(), json_str(wit.world()).c_str());
  } else {
    std::printf("// component %s (%zu bytes), valid\n%s", file.c_str(), bytes->size(),
                wit.world().c_str());
  }
  return 0;
}

namespace {

void print_inspect_help(FILE* out) {
  std::fputs(
      "usage: hull inspect [--json] [-W FEATURE=y|n,...] FILE.wasm|FILE.wat\n"
      "\n"
      "Decodes and validates FILE (binary or text format) without instantiating it, and\n"
      "prints what it declares: imports and exports with their types, functions, memories,\n"
      "tables, globals, tags, data and element segments, the start function and custom\n"
      "sections. For a component (binary, or text starting with `(component`): its world in\n"
      "WIT, every import and export with its full type. Exit status: 0 valid, 1 unreadable,\n"
      "malformed or invalid (an invalid module is still described; the error follows on\n"
      "stderr), 2 bad command line.\n"
      "\n"
      "options:\n"
      "  --json       one JSON object on stdout instead of text (with \"valid\" and \"error\")\n"
      "  -W FEATURE[=y|n][,...]  validate with a Wasm feature off (n) or on (y, the default\n"
      "               for all), as `hull run -W` does\n"
      "  --tiers      which tier runs each function: compiles the module with the native\n"
      "               tier and says why a function stays interpreted (hull-native only)\n"
      "  -h, --help   show this text\n",
      out);
}

}  // namespace

int inspect_command(int argc, char** argv) {
  bool json = false;
  bool tiers = false;
  std::string file;
  WasmFeatures features;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      print_inspect_help(stdout);
      return 0;
    }
    if (a == "--json") {
      json = true;
    } else if (a == "--tiers") {
      tiers = true;
    } else if (a == "-W" || (a.rfind("-W", 0) == 0 && a.size() > 2)) {
      if (a.size() == 2 && i + 1 >= argc) {
        std::fprintf(stderr, "error: -W needs a value (see hull inspect --help)\n");
        return kExitUsage;
      }
      if (!parse_feature_flags(a.size() > 2 ? a.substr(2) : std::string(argv[++i]), &features))
        return kExitUsage;
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "error: unknown option '%s' (see hull inspect --help)\n", a.c_str());
      return kExitUsage;
    } else if (!file.empty()) {
      std::fprintf(stderr, "error: more than one file given (see hull inspect --help)\n");
      return kExitUsage;
    } else {
      file = a;
    }
  }
  if (file.empty()) {
    std::fprintf(stderr, "error: no module file given (see hull inspect --help)\n");
    return kExitUsage;
  }
  if (is_component_file(file)) return inspect_component(file, json, features);
  auto bytes = read_module_bytes(file);
  if (!bytes) {
    std::fprintf(stderr, "error: %s\n", bytes.error().message.c_str());
    return kExitError;
  }
  if (tiers) return inspect_tiers(file, std::move(*bytes), features.core, json);
  if (is_precompiled(*bytes)) {
    // What the file says it was made for, then the module inside it.
    auto info = precompiled_info(*bytes);
    if (!info) {
      std::fprintf(stderr, "error: %s: %s\n", file.c_str(), info.error().to_string().c_str());
      return kExitError;
    }
    if (!json)
      std::printf(
          "precompiled module (.hullc format %u): Hull %s, build %s, tier %s\n"
          "  compiled with %s, %s, %s bounds checks; %llu bytes of machine code and tables\n",
          info->format, info->hull_version.c_str(), info->build_id.c_str(), info->tier.c_str(),
          info->fuel ? "fuel metering" : "no fuel metering",
          info->epochs ? "deadline checks" : "no deadline checks",
          info->guard_pages ? "guard-page" : "explicit",
          static_cast<unsigned long long>(info->code_bytes));
    *bytes = std::vector<uint8_t>(info->module.begin(), info->module.end());
  }
  auto m = decode_module(std::move(*bytes));
  if (!m) {
    std::fprintf(stderr, "error: %s: malformed module: %s\n", file.c_str(),
                 m.error().to_string().c_str());
    return kExitError;
  }
  const Status valid = validate_module(*m, features.core);
  if (json) {
    print_json(file, *m, valid);
  } else {
    print_text(file, *m, valid);
  }
  if (!valid) {
    std::fprintf(stderr, "error: %s: invalid module: %s\n", file.c_str(),
                 valid.error().to_string().c_str());
    return kExitError;
  }
  return 0;
}

}  // namespace hull::cli
