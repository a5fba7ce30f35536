// Precompiled modules (.hullc): a module and its native tier's machine code in one file, made by
// `hull-native compile` and loaded by `hull-native run` without compiling again (Wasmtime's
// .cwasm). The file says what it was made for, and a Hull that differs in any of it refuses the
// file with a message naming the difference, never loads it:
//
//   magic "\0hullc\r\n" | u32 format | str hull version | str build id | str tier
//   | u8 options (fuel, epochs, guard pages) | bytes module | bytes tier code | 16-byte checksum
//
// (u32/u64 little-endian; str and bytes: a u64 length, then the bytes). The build id is that of
// the object holding the tier's code (GNU build-id note: it changes with any change of that
// code): the executable's, or hull-native's plugin's (native_code_build_id); the tier's part
// carries what the tier checks itself (CPU features, which functions it compiled). The checksum
// (FNV-1a, two streams) catches a damaged file; it is no defence against a forged one: loading
// a .hullc runs its machine code, so load only files you made (as with Wasmtime's
// Module::deserialize).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "engine/module.h"

namespace hull {

// Whether `bytes` starts like a .hullc file.
bool is_precompiled(std::span<const uint8_t> bytes);

// Compiles `wasm` with the registered native tier (opts.native is implied) into a .hullc image.
Result<std::vector<uint8_t>> precompile(std::span<const uint8_t> wasm, CompileOptions opts);

// The module of a .hullc image with its machine code installed. `opts` are this engine's: the
// image must have been made with the same fuel, epoch and bounds-check settings (Usage error
// otherwise, saying which). A damaged or truncated image is Malformed, with the byte offset.
Result<std::shared_ptr<const CompiledModule>> load_precompiled(std::span<const uint8_t> image,
                                                               CompileOptions opts);

// What a .hullc says of itself (`hull inspect x.hullc`), without checking it against this Hull.
struct PrecompiledInfo {
  uint32_t format = 0;
  std::string hull_version, build_id, tier;
  bool fuel = false, epochs = false, guard_pages = false;
  std::span<const uint8_t> module;  // into the image
  uint64_t code_bytes = 0;
};
Result<PrecompiledInfo> precompiled_info(std::span<const uint8_t> image);

// The running executable's GNU build id as hex, or "" when it has none.
const std::string& executable_build_id();
// The GNU build id (hex) of the loaded object (executable or shared object) containing `addr`,
// or "" when it has none.
std::string build_id_of_object_at(const void* addr);

// What .hullc files and the native tier's on-disk cache are keyed to: the build id of the
// object holding the tier's code. That is the executable's, unless the tier is loaded from a
// plugin (hull-native's libhull_native_tier.so, native/plugin.h): then its code is the
// plugin's, and a rebuilt plugin must invalidate older files even when the executable is the
// same. Such an executable sets `source` (before any module is compiled): it loads the plugin
// if needed and returns the plugin's build id, or why the plugin cannot be loaded.
void set_native_code_build_id_source(Result<std::string> (*source)());
Result<std::string> native_code_build_id();

// Little-endian fields for the format above (the tiers use them for their own part too).
class ImageWriter {
 public:
  void u8(uint8_t v) { out_.push_back(v); }
  void u32(uint32_t v) { fixed(v, 4); }
  void u64(uint64_t v) { fixed(v, 8); }
  void bytes(std::span<const uint8_t> b) {
    u64(b.size());
    out_.insert(out_.end(), b.begin(), b.end());
  }
  void str(std::string_view s) { bytes({reinterpret_cast<const uint8_t*>(s.data()), s.size()}); }
  void raw(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  std::vector<uint8_t>& out() { return out_; }

 private:
  void fixed(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> out_;
};

// Reads fields back; the first read past the end records a Malformed error naming `what` and
// the byte offset (`base` is added to offsets, for a part inside a larger file).
class ImageReader {
 public:
  explicit ImageReader(std::span<const uint8_t> b, size_t base = 0) : b_(b), base_(base) {}
  bool u8(uint8_t* v, const char* what);
  bool u32(uint32_t* v, const char* what);
  bool u64(uint64_t* v, const char* what);
  bool bytes(std::span<const uint8_t>* v, const char* what);
  bool str(std::string* v, const char* what);
  size_t pos() const { return pos_; }
  bool at_end() const { return pos_ == b_.size(); }
  const Error& error() const { return error_; }

 private:
  bool fail(const char* what);
  std::span<const uint8_t> b_;
  size_t base_;
  size_t pos_ = 0;
  Error error_;
};

// 128-bit FNV-1a (two streams), as 16 bytes.
std::array<uint8_t, 16> image_checksum(std::span<const uint8_t> bytes);

}  // namespace hull
