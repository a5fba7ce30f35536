// stencil_gen: turns the object file of stencils.cc into the tables the baseline compiler
// copies from (a build step; never part of Hull).
//
//   stencil_gen STENCILS.o OUT.h OUT_SYMBOLS.cc
//
// Reads the ELF64 x86-64 relocatable object: the table `hull_stencil_table` names each stencil's
// function; a stencil's code is its function's section (stencils.cc is compiled with
// -ffunction-sections), its relocations say where the holes are (stencil_abi.h). Anything else
// a stencil refers to that the object defines -- a helper clang did not inline, a constant in
// .rodata -- becomes a support blob, placed once per process. What it leaves undefined
// (set_trap, libm's functions, g_epoch) is an extern: OUT_SYMBOLS.cc takes their addresses with
// the linker's help. A jump to the next instruction that ends a stencil is dropped (the code
// falls through), and `jcc next; jmp target` at the end becomes `jcc' target`.
//
// Fails (exit 1, with the reason) on anything it does not understand, so that a compiler
// change shows at build time, not as wrong machine code.
#include <elf.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "stencil_gen: %s\n", why.c_str());
  std::exit(1);
}

struct Object {
  std::vector<uint8_t> bytes;
  const Elf64_Ehdr* eh = nullptr;
  std::vector<const Elf64_Shdr*> sections;
  const Elf64_Sym* syms = nullptr;
  size_t nsyms = 0;
  const char* strtab = nullptr;
  const char* shstrtab = nullptr;
  std::map<unsigned, const Elf64_Shdr*> rela_for;  // section index -> its .rela section

  const uint8_t* data(const Elf64_Shdr* s) const { return bytes.data() + s->sh_offset; }
  std::string section_name(unsigned i) const { return shstrtab + sections[i]->sh_name; }
  std::string symbol_name(const Elf64_Sym& s) const {
    if (ELF64_ST_TYPE(s.st_info) == STT_SECTION) return section_name(s.st_shndx);
    return strtab + s.st_name;
  }
  std::vector<Elf64_Rela> relas(unsigned section) const {
    auto it = rela_for.find(section);
    if (it == rela_for.end()) return {};
    const auto* r = reinterpret_cast<const Elf64_Rela*>(data(it->second));
    return {r, r + it->second->sh_size / sizeof(Elf64_Rela)};
  }
};

Object load(const char* path) {
  Object o;
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(std::string("cannot read ") + path);
  o.bytes.assign(std::istreambuf_iterator<char>(in), {});
  if (o.bytes.size() < sizeof(Elf64_Ehdr)) fail("not an ELF file");
  o.eh = reinterpret_cast<const Elf64_Ehdr*>(o.bytes.data());
  if (std::memcmp(o.eh->e_ident, ELFMAG, SELFMAG) != 0 || o.eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      o.eh->e_machine != EM_X86_64 || o.eh->e_type != ET_REL)
    fail("not an ELF64 x86-64 relocatable object");
  for (unsigned i = 0; i < o.eh->e_shnum; ++i)
    o.sections.push_back(reinterpret_cast<const Elf64_Shdr*>(o.bytes.data() + o.eh->e_shoff +
                                                             i * o.eh->e_shentsize));
  o.shstrtab = reinterpret_cast<const char*>(o.data(o.sections[o.eh->e_shstrndx]));
  for (unsigned i = 0; i < o.sections.size(); ++i) {
    const Elf64_Shdr* s = o.sections[i];
    if (s->sh_type == SHT_SYMTAB) {
      o.syms = reinterpret_cast<const Elf64_Sym*>(o.data(s));
      o.nsyms = s->sh_size / sizeof(Elf64_Sym);
      o.strtab = reinterpret_cast<const char*>(o.data(o.sections[s->sh_link]));
    } else if (s->sh_type == SHT_RELA) {
      o.rela_for[s->sh_info] = s;
    } else if (s->sh_type == SHT_REL) {
      fail("REL relocations in " + o.section_name(i));
    }
  }
  if (!o.syms) fail("no symbol table");
  return o;
}

// Relocation records, as the compiler reads them (baseline/stencils.h mirrors these values).
enum Target : uint8_t { HoleU, HoleV, HoleW, HolePc, HoleCallee, Next, Jump, Blob, Extern, Entry };
enum Type : uint8_t { Abs32, Abs32S, Abs64, Rel32 };

struct Reloc {
  uint32_t offset;
  Type type;
  Target target;
  uint32_t arg;  // hole or operand index, blob index, extern index
  int64_t addend;
};

struct BlobOut {
  std::vector<uint8_t> code;
  std::vector<Reloc> relocs;
  uint32_t align = 1;
};

struct Gen {
  const Object& o;
  std::vector<BlobOut> blobs;
  std::map<unsigned, uint32_t> blob_of_section;
  std::vector<unsigned> pending;  // sections whose blob still needs its relocations
  std::vector<std::string> externs;
  std::map<std::string, uint32_t> extern_index;

  explicit Gen(const Object& obj) : o(obj) {}

  uint32_t blob_for(unsigned section) {
    auto it = blob_of_section.find(section);
    if (it != blob_of_section.end()) return it->second;
    const Elf64_Shdr* s = o.sections[section];
    if (!(s->sh_flags & SHF_ALLOC)) fail("reference to non-allocated " + o.section_name(section));
    if (s->sh_flags & SHF_WRITE)
      fail("stencils may not use writable data: " + o.section_name(section));
    if (s->sh_flags & SHF_TLS)
      fail("stencils may not use thread-locals: " + o.section_name(section));
    BlobOut b;
    if (s->sh_type == SHT_NOBITS) fail("stencils may not use .bss: " + o.section_name(section));
    b.code.assign(o.data(s), o.data(s) + s->sh_size);
    b.align = static_cast<uint32_t>(std::max<uint64_t>(1, s->sh_addralign));
    const uint32_t index = static_cast<uint32_t>(blobs.size());
    blobs.push_back(std::move(b));
    blob_of_section[section] = index;
    pending.push_back(section);
    return index;
  }

  uint32_t extern_for(const std::string& name) {
    auto it = extern_index.find(name);
    if (it != extern_index.end()) return it->second;
    const uint32_t i = static_cast<uint32_t>(externs.size());
    externs.push_back(name);
    extern_index[name] = i;
    return i;
  }

  // Fills in the relocations of every pending blob (and the blobs they bring in).
  void resolve() {
    while (!pending.empty()) {
      const unsigned section = pending.back();
      pending.pop_back();
      const uint32_t index = blob_of_section[section];
      for (const Elf64_Rela& r : o.relas(section)) {
        Reloc out{};
        out.offset = static_cast<uint32_t>(r.r_offset);
        out.addend = r.r_addend;
        switch (ELF64_R_TYPE(r.r_info)) {
          case R_X86_64_32: out.type = Abs32; break;
          case R_X86_64_32S: out.type = Abs32S; break;
          case R_X86_64_64: out.type = Abs64; break;
          case R_X86_64_PC32:
          case R_X86_64_PLT32: out.type = Rel32; break;
          default:
            fail("relocation type " + std::to_string(ELF64_R_TYPE(r.r_info)) + " in " +
                 o.section_name(section) + " (compile stencils without PIC, TLS or the GOT)");
        }
        const Elf64_Sym& sym = o.syms[ELF64_R_SYM(r.r_info)];
        const std::string name = o.symbol_name(sym);
        auto hole = [&](const char* prefix, Target t) {
          const size_t n = std::strlen(prefix);
          if (name.compare(0, n, prefix) != 0) return false;
          out.target = t;
          out.arg = name.size() > n ? static_cast<uint32_t>(std::stoul(name.substr(n))) : 0;
          return true;
        };
        if (name == "hull_hole_pc") {
          out.target = HolePc;
        } else if (name == "hull_hole_callee") {
          out.target = HoleCallee;
        } else if (name == "hull_next") {
          out.target = Next;
        } else if (hole("hull_hole_u", HoleU) || hole("hull_hole_v", HoleV) ||
                   hole("hull_hole_w", HoleW) || hole("hull_target", Jump) ||
                   hole("hull_entry", Entry)) {
        } else if (sym.st_shndx == SHN_UNDEF) {
          out.target = Extern;
          out.arg = extern_for(name);
        } else if (sym.st_shndx < o.sections.size() && sym.st_shndx != SHN_ABS &&
                   sym.st_shndx != SHN_COMMON) {
          out.target = Blob;
          out.arg = blob_for(sym.st_shndx);
          out.addend += static_cast<int64_t>(sym.st_value);
        } else {
          fail("symbol " + name + " in " + o.section_name(section) +
               " is neither defined nor a hole");
        }
        if ((out.target == HoleU || out.target == HoleV) && out.type == Abs64)
          fail("a 32-bit hole used as a 64-bit value in " + o.section_name(section));
        if (out.target == HoleV && out.addend != 0)
          fail("an opaque hole with an addend in " + o.section_name(section));
        blobs[index].relocs.push_back(out);
      }
      std::sort(blobs[index].relocs.begin(), blobs[index].relocs.end(),
                [](const Reloc& a, const Reloc& b) { return a.offset < b.offset; });
    }
  }
};

const Reloc* reloc_at(const BlobOut& b, uint32_t offset) {
  for (const Reloc& r : b.relocs)
    if (r.offset == offset) return &r;
  return nullptr;
}

// Whether any branch in `b` that is not a relocation could land on `pos`: a conservative
// byte scan for short jumps and near jumps without relocations (false hits only cost the
// rewrite below, never correctness).
bool maybe_branch_target(const BlobOut& b, uint32_t pos) {
  const std::vector<uint8_t>& c = b.code;
  for (uint32_t i = 0; i + 1 < c.size(); ++i) {
    const uint8_t op = c[i];
    if ((op >= 0x70 && op <= 0x7f) || op == 0xeb || op == 0xe3) {
      if (static_cast<int64_t>(i) + 2 + static_cast<int8_t>(c[i + 1]) == pos) return true;
    }
    if (op == 0xe9 && i + 5 <= c.size() && !reloc_at(b, i + 1)) {
      int32_t d;
      std::memcpy(&d, &c[i + 1], 4);
      if (static_cast<int64_t>(i) + 5 + d == pos) return true;
    }
    if (op == 0x0f && (c[i + 1] & 0xf0) == 0x80 && i + 6 <= c.size() && !reloc_at(b, i + 2)) {
      int32_t d;
      std::memcpy(&d, &c[i + 2], 4);
      if (static_cast<int64_t>(i) + 6 + d == pos) return true;
    }
  }
  return false;
}

bool is_jump_reloc(const Reloc* r, Target t) {
  return r && r->type == Rel32 && r->target == t && r->addend == -4;
}

// Drops a final jump to the next instruction; turns a final `jcc next; jmp target` into
// `jcc' target`. Returns whether the stencil now falls through at its end.
bool fall_through(BlobOut& b) {
  const uint32_t n = static_cast<uint32_t>(b.code.size());
  if (n >= 5 && b.code[n - 5] == 0xe9 && is_jump_reloc(reloc_at(b, n - 4), Next)) {
    b.relocs.erase(std::remove_if(b.relocs.begin(), b.relocs.end(),
                                  [&](const Reloc& r) { return r.offset == n - 4; }),
                   b.relocs.end());
    b.code.resize(n - 5);
    return true;
  }
  if (n >= 11 && b.code[n - 5] == 0xe9 && b.code[n - 11] == 0x0f &&
      (b.code[n - 10] & 0xf0) == 0x80) {
    const Reloc* jmp = reloc_at(b, n - 4);
    const Reloc* jcc = reloc_at(b, n - 9);
    if (jmp && jmp->type == Rel32 && jmp->addend == -4 && jmp->target == Jump &&
        is_jump_reloc(jcc, Next) && !maybe_branch_target(b, n - 5)) {
      const uint32_t target = jmp->arg;
      b.relocs.erase(std::remove_if(b.relocs.begin(), b.relocs.end(),
                                    [&](const Reloc& r) { return r.offset == n - 4; }),
                     b.relocs.end());
      for (Reloc& r : b.relocs)
        if (r.offset == n - 9) {
          r.target = Jump;
          r.arg = target;
        }
      b.code[n - 10] ^= 1;  // the inverse condition
      b.code.resize(n - 5);
      return true;
    }
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) fail("usage: stencil_gen STENCILS.o OUT.h OUT_SYMBOLS.cc");
  const Object o = load(argv[1]);

  // The table: {uint32 key, pad, function pointer} rows.
  const Elf64_Sym* table = nullptr;
  for (size_t i = 0; i < o.nsyms; ++i)
    if (o.syms[i].st_shndx != SHN_UNDEF && o.symbol_name(o.syms[i]) == "hull_stencil_table")
      table = &o.syms[i];
  if (!table) fail("no hull_stencil_table in the object");
  const unsigned tsec = table->st_shndx;
  const uint8_t* tdata = o.data(o.sections[tsec]) + table->st_value;
  const size_t rows = table->st_size / 16;
  std::map<uint64_t, unsigned> fn_at;  // row offset -> section of its function
  for (const Elf64_Rela& r : o.relas(tsec)) {
    if (r.r_offset < table->st_value || r.r_offset >= table->st_value + table->st_size) continue;
    if (ELF64_R_TYPE(r.r_info) != R_X86_64_64) fail("unexpected relocation in the table");
    const Elf64_Sym& sym = o.syms[ELF64_R_SYM(r.r_info)];
    if (sym.st_value + r.r_addend != 0) fail("stencil function not at the start of its section");
    fn_at[r.r_offset - table->st_value] = sym.st_shndx;
  }

  Gen g(o);
  struct Row {
    uint32_t key;
    uint32_t blob;
  };
  std::vector<Row> stencils;
  std::set<uint32_t> stencil_blobs;
  for (size_t i = 0; i < rows; ++i) {
    auto it = fn_at.find(i * 16 + 8);
    if (it == fn_at.end()) continue;  // no such form
    uint32_t key;
    std::memcpy(&key, tdata + i * 16, 4);
    const uint32_t blob = g.blob_for(it->second);
    stencils.push_back({key, blob});
    stencil_blobs.insert(blob);
  }
  g.resolve();
  std::sort(stencils.begin(), stencils.end(),
            [](const Row& a, const Row& b) { return a.key < b.key; });
  for (size_t i = 1; i < stencils.size(); ++i)
    if (stencils[i].key == stencils[i - 1].key) fail("two stencils with one key");

  std::vector<bool> falls(g.blobs.size(), false);
  size_t dropped = 0;
  for (uint32_t b : stencil_blobs) {
    falls[b] = fall_through(g.blobs[b]);
    dropped += falls[b];
  }
  for (uint32_t b = 0; b < g.blobs.size(); ++b) {
    for (const Reloc& r : g.blobs[b].relocs) {
      const bool hole = r.target != Blob && r.target != Extern;
      if (hole && !stencil_blobs.count(b))
        fail("a support function uses a hole (blob " + std::to_string(b) + ")");
    }
  }

  std::ostringstream h;
  h << "// Generated by stencil_gen from stencils.cc's object file: do not edit.\n#pragma once\n"
       "#include <cstdint>\n#include \"baseline/stencils.h\"\nnamespace hull::baseline::gen {\n";
  h << "inline constexpr uint8_t kCode[] = {";
  std::vector<uint32_t> code_at;
  uint32_t total = 0;
  for (const BlobOut& b : g.blobs) {
    code_at.push_back(total);
    for (uint8_t c : b.code) h << unsigned(c) << ',';
    total += static_cast<uint32_t>(b.code.size());
  }
  h << "};\ninline constexpr StencilReloc kRelocs[] = {";
  std::vector<uint32_t> reloc_at_index;
  uint32_t nrel = 0;
  for (const BlobOut& b : g.blobs) {
    reloc_at_index.push_back(nrel);
    for (const Reloc& r : b.relocs) {
      h << "{" << r.offset << "," << unsigned(r.type) << "," << unsigned(r.target) << "," << r.arg
        << "," << r.addend << "LL},";
      ++nrel;
    }
  }
  if (nrel == 0) h << "{}";
  h << "};\ninline constexpr StencilBlob kBlobs[] = {";
  for (uint32_t b = 0; b < g.blobs.size(); ++b)
    h << "{" << code_at[b] << "," << g.blobs[b].code.size() << "," << reloc_at_index[b] << ","
      << g.blobs[b].relocs.size() << "," << g.blobs[b].align << ","
      << (stencil_blobs.count(b) ? 1 : 0) << "," << (falls[b] ? 1 : 0) << "},";
  h << "};\ninline constexpr StencilRow kStencils[] = {";
  for (const Row& r : stencils) h << "{" << r.key << "u," << r.blob << "},";
  h << "};\ninline constexpr const char* kExternNames[] = {";
  for (const std::string& e : g.externs) h << '"' << e << "\",";
  if (g.externs.empty()) h << "nullptr";
  h << "};\ninline constexpr uint32_t kNumExterns = " << g.externs.size() << ";\n";
  h << "}  // namespace hull::baseline::gen\n";

  std::ostringstream s;
  s << "// Generated by stencil_gen: the addresses of what the stencils call or read.\n"
       "// The linker resolves the names (C++ ones mangled), so no declaration is needed.\n"
       "asm(\".section .data.rel.ro,\\\"aw\\\"\\n.p2align 3\\n"
       ".globl hull_baseline_externs\\n.hidden hull_baseline_externs\\nhull_baseline_externs:\\n";
  for (const std::string& e : g.externs) s << ".quad " << e << "\\n";
  if (g.externs.empty()) s << ".quad 0\\n";
  s << ".text\\n\");\n";

  std::ofstream(argv[2]) << h.str();
  std::ofstream(argv[3]) << s.str();
  std::printf(
      "stencil_gen: %zu stencils, %zu blobs (%u bytes of code), %u relocations, %zu externs,"
      " %zu fall through\n",
      stencils.size(), g.blobs.size(), total, nrel, g.externs.size(), dropped);
  return 0;
}
