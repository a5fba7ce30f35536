// C++ exceptions exercised the ways programs use them: standard exception types caught through a
// base class reference, custom hierarchies (single, multiple and virtual inheritance), values
// of fundamental and pointer types, catch(...), nested try blocks, `throw;` from a handler,
// exceptions thrown across many frames, destructors that run while unwinding (RAII) and
// exceptions thrown and caught inside a destructor. Built natively and for wasm32-wasi (clang's
// Wasm exception handling); the outputs must match.
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

int live_guards = 0;

// Prints when it is destroyed, so the output shows unwinding order.
struct Guard {
  const char* name;
  explicit Guard(const char* n) : name(n) { live_guards++; }
  Guard(const Guard&) = delete;
  ~Guard() {
    live_guards--;
    std::printf("  ~Guard(%s)\n", name);
  }
};

struct AppError {
  int code;
  std::string where;
  AppError(int c, std::string w) : code(c), where(std::move(w)) {}
  virtual ~AppError() = default;
  virtual const char* kind() const { return "AppError"; }
};
struct IoError : AppError {
  using AppError::AppError;
  const char* kind() const override { return "IoError"; }
};
struct DiskFull : IoError {
  long bytes;
  DiskFull(long b) : IoError(28, "disk"), bytes(b) {}
  const char* kind() const override { return "DiskFull"; }
};

// Multiple inheritance: the handler for the second base must see an adjusted pointer.
struct Tagged {
  int tag = 0x5eed;
  virtual ~Tagged() = default;
};
struct Payload {
  char text[16];
  Payload() { std::strcpy(text, "payload"); }
};
struct Mixed : Payload, Tagged {
  int extra = 99;
};

// Virtual inheritance: the base lives at an offset only the object's vtable knows.
struct VBase {
  int v = 7;
  virtual ~VBase() = default;
};
struct VLeft : virtual VBase {
  int l = 1;
};
struct VRight : virtual VBase {
  int r = 2;
};
struct Diamond : VLeft, VRight {
  int d = 3;
};

int counter = 0;

[[noreturn]] void throw_at_depth(int depth, int limit) {
  Guard g(depth % 250 == 0 ? "every 250th frame" : nullptr);
  if (!g.name) g.name = "frame";
  if (depth == limit) throw DiskFull(depth * 1000L);
  throw_at_depth(depth + 1, limit);
}

// Quiet guards for the deep recursion: only the count is checked.
int quiet_destroyed = 0;
struct Quiet {
  ~Quiet() { quiet_destroyed++; }
};
[[noreturn]] void deep(int depth, int limit) {
  Quiet q;
  if (depth == limit) throw std::out_of_range("deep " + std::to_string(depth));
  deep(depth + 1, limit);
}

int parse_positive(const std::string& s) {
  if (s.empty()) throw std::invalid_argument("empty string");
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') throw std::invalid_argument("not a digit: " + std::string(1, c));
    v = v * 10 + (c - '0');
    if (v > 100000) throw std::out_of_range("too large: " + s);
  }
  return v;
}

struct ThrowsInDestructor {
  ~ThrowsInDestructor() {
    // An exception that starts and ends inside a destructor running during unwinding.
    try {
      throw 17;
    } catch (int v) {
      std::printf("  destructor caught its own %d\n", v);
    }
  }
};

void rethrower(int kind) {
  try {
    Guard g("rethrower");
    if (kind == 0) throw IoError(5, "rethrow");
    if (kind == 1) throw 3.5;
    throw std::runtime_error("runtime");
  } catch (const AppError& e) {
    std::printf("  rethrower saw %s, rethrowing\n", e.kind());
    throw;
  } catch (...) {
    std::printf("  rethrower saw something else, rethrowing\n");
    throw;
  }
}

}  // namespace

int main(int argc, char**) {
  std::puts("1. standard exceptions through std::exception&");
  for (const char* s : {"123", "", "12a", "9999999", "42"}) {
    try {
      std::printf("  parse(\"%s\") = %d\n", s, parse_positive(s));
    } catch (const std::invalid_argument& e) {
      std::printf("  invalid_argument: %s\n", e.what());
    } catch (const std::exception& e) {
      std::printf("  exception: %s\n", e.what());
    }
  }

  std::puts("2. custom hierarchy, most derived handler first or base only");
  try {
    throw_at_depth(0, 3);
  } catch (const DiskFull& e) {
    std::printf("  DiskFull bytes=%ld code=%d where=%s\n", e.bytes, e.code, e.where.c_str());
  }
  try {
    throw_at_depth(0, 2);
  } catch (AppError& e) {
    std::printf("  as AppError: %s code=%d\n", e.kind(), e.code);
  }
  try {
    throw IoError(5, "net");
  } catch (const DiskFull&) {
    std::puts("  wrong: IoError caught as DiskFull");
  } catch (const IoError& e) {
    std::printf("  IoError code=%d where=%s\n", e.code, e.where.c_str());
  }

  std::puts("3. fundamental and pointer types, catch by value");
  for (int i = 0; i < 5; i++) {
    try {
      switch (i) {
        case 0: throw 42;
        case 1: throw 2.5;
        case 2: throw "a C string";
        case 3: throw 'x';
        default: throw static_cast<unsigned long long>(1) << 40;
      }
    } catch (int v) {
      std::printf("  int %d\n", v);
    } catch (double v) {
      std::printf("  double %.2f\n", v);
    } catch (const char* s) {
      std::printf("  const char* %s\n", s);
    } catch (char c) {
      std::printf("  char %c\n", c);
    } catch (...) {
      std::puts("  something else (catch ...)");
    }
  }

  std::puts("4. multiple and virtual inheritance");
  try {
    throw Mixed();
  } catch (const Tagged& t) {
    std::printf("  Tagged tag=%#x\n", t.tag);
  }
  try {
    throw Mixed();
  } catch (Payload& p) {
    std::printf("  Payload text=%s\n", p.text);
  }
  try {
    throw Diamond();
  } catch (const VBase& b) {
    std::printf("  VBase v=%d\n", b.v);
  }
  try {
    throw Diamond();
  } catch (VRight& r) {
    std::printf("  VRight r=%d v=%d\n", r.r, r.v);
  }

  std::puts("5. nested try blocks and rethrow");
  for (int kind = 0; kind < 3; kind++) {
    try {
      try {
        rethrower(kind);
      } catch (const std::exception& e) {
        std::printf("  inner handler: std::exception %s\n", e.what());
      }
      std::puts("  after inner try");
    } catch (const AppError& e) {
      std::printf("  outer handler: %s code=%d\n", e.kind(), e.code);
    } catch (double d) {
      std::printf("  outer handler: double %.1f\n", d);
    }
  }

  std::puts("6. a new exception thrown from a handler replaces the old one");
  try {
    try {
      throw std::logic_error("first");
    } catch (const std::logic_error& e) {
      Guard g("in handler");
      throw std::runtime_error(std::string("second after ") + e.what());
    }
  } catch (const std::runtime_error& e) {
    std::printf("  caught %s\n", e.what());
  }

  std::puts("7. destructors during unwinding");
  try {
    Guard a("outer a");
    {
      Guard b("inner b");
      ThrowsInDestructor t;
      Guard c("inner c");
      throw std::length_error("unwinding");
    }
  } catch (const std::length_error& e) {
    std::printf("  caught %s, live guards %d\n", e.what(), live_guards);
  }

  std::puts("8. deep recursion and many throws");
  try {
    deep(0, 5000);
  } catch (const std::out_of_range& e) {
    std::printf("  %s, destroyed %d frames\n", e.what(), quiet_destroyed);
  }
  long sum = 0;
  for (int i = 0; i < 20000; i++) {
    try {
      if (i % 3 == 0) throw i;
      if (i % 3 == 1) throw std::runtime_error("x");
      counter++;
    } catch (int v) {
      sum += v;
    } catch (const std::exception&) {
      sum -= 1;
    }
  }
  std::printf("  sum=%ld counter=%d\n", sum, counter);

  std::puts("9. containers survive exceptions");
  std::vector<std::string> names;
  for (int i = 0; i < 6; i++) {
    try {
      names.push_back("n" + std::to_string(i));
      if (i % 2) throw std::runtime_error("odd " + std::to_string(i));
    } catch (const std::runtime_error& e) {
      names.back() += "!" + std::string(e.what());
    }
  }
  for (const auto& n : names) std::printf("  %s\n", n.c_str());

  std::printf("live guards at the end: %d\n", live_guards);
  return argc > 1 ? 4 : 0;
}
