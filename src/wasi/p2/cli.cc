// wasi:cli — environment, exit, stdin/stdout/stderr and the terminal interfaces.
#include <unistd.h>

#include "wasi/p2/host.h"

namespace hull::wasi::p2 {

namespace {

// The message of the trap that unwinds a guest calling wasi:cli/exit; the status is in the
// context (exit_status), so callers tell an exit from a failure by it, not by the text.
constexpr const char* kExitMessage = "wasi:cli/exit called";

api::Result<void> add_environment(cm::Linker& linker) {
  Definer d(linker, "wasi:cli/environment");
  d.fn("get-environment", [](Ctx& c, Args, Results& r) -> api::Result<void> {
    std::vector<cm::Val> out;
    out.reserve(c.config.env.size());
    for (const auto& [k, v] : c.config.env) {
      out.push_back(cm::Val::tuple({cm::Val::string(k), cm::Val::string(v)}));
    }
    r.push_back(cm::Val::list(std::move(out)));
    return {};
  });
  d.fn("get-arguments", [](Ctx& c, Args, Results& r) -> api::Result<void> {
    r.push_back(string_list(c.config.args));
    return {};
  });
  d.fn("initial-cwd", [](Ctx& c, Args, Results& r) -> api::Result<void> {
    r.push_back(c.config.initial_cwd ? cm::Val::some(cm::Val::string(*c.config.initial_cwd))
                                     : cm::Val::none());
    return {};
  });
  return d.status();
}

api::Result<void> add_exit(cm::Linker& linker) {
  Definer d(linker, "wasi:cli/exit");
  d.fn("exit", [](Ctx& c, Args a, Results&) -> api::Result<void> {
    c.exit_status = a[0].is_ok() ? 0 : 1;
    return trap(kExitMessage);
  });
  d.fn("exit-with-code", [](Ctx& c, Args a, Results&) -> api::Result<void> {
    c.exit_status = static_cast<int>(a[0].as_u64() & 0xff);
    return trap(kExitMessage);
  });
  return d.status();
}

api::Result<void> add_stdio(cm::Linker& linker, const Types& types) {
  {
    Definer d(linker, "wasi:cli/stdin");
    d.uses("input-stream", types->input_stream);
    d.fn("get-stdin", [types](Ctx& c, Args, Results& r) -> api::Result<void> {
      std::unique_ptr<InputStream> in =
          c.config.inherit_stdin ? fd_input(std::make_shared<HostFd>(STDIN_FILENO, false))
                                 : memory_input(c.config.stdin_bytes);
      auto rep = push(c, std::move(in));
      if (!rep) return std::move(rep).error();
      r.push_back(own(types->input_stream, *rep));
      return {};
    });
    if (auto st = d.status(); !st) return st;
  }
  for (int fd : {STDOUT_FILENO, STDERR_FILENO}) {
    bool out = fd == STDOUT_FILENO;
    Definer d(linker, out ? "wasi:cli/stdout" : "wasi:cli/stderr");
    d.uses("output-stream", types->output_stream);
    d.fn(out ? "get-stdout" : "get-stderr",
         [types, fd, out](Ctx& c, Args, Results& r) -> api::Result<void> {
           const auto& capture = out ? c.config.stdout_capture : c.config.stderr_capture;
           std::unique_ptr<OutputStream> s =
               capture ? memory_output(capture) : fd_output(std::make_shared<HostFd>(fd, false));
           auto rep = push(c, std::move(s));
           if (!rep) return std::move(rep).error();
           r.push_back(own(types->output_stream, *rep));
           return {};
         });
    if (auto st = d.status(); !st) return st;
  }
  return {};
}

api::Result<void> add_terminal(cm::Linker& linker, const Types& types) {
  {
    Definer d(linker, "wasi:cli/terminal-input");
    types->terminal_input = d.resource("terminal-input");
    if (auto st = d.status(); !st) return st;
  }
  {
    Definer d(linker, "wasi:cli/terminal-output");
    types->terminal_output = d.resource("terminal-output");
    if (auto st = d.status(); !st) return st;
  }
  struct Std {
    const char* iface;
    const char* type;
    const char* fn;
    int fd;
  };
  for (Std s : {Std{"wasi:cli/terminal-stdin", "terminal-input", "get-terminal-stdin", 0},
                Std{"wasi:cli/terminal-stdout", "terminal-output", "get-terminal-stdout", 1},
                Std{"wasi:cli/terminal-stderr", "terminal-output", "get-terminal-stderr", 2}}) {
    Definer d(linker, s.iface);
    bool input = s.fd == 0;
    d.uses(s.type, input ? types->terminal_input : types->terminal_output);
    d.fn(s.fn, [types, s, input](Ctx& c, Args, Results& r) -> api::Result<void> {
      // A terminal only when the guest's stream is the host's and that is a terminal.
      bool inherited = input ? c.config.inherit_stdin
                             : !(s.fd == 1 ? c.config.stdout_capture : c.config.stderr_capture);
      if (!inherited || !isatty(s.fd)) {
        r.push_back(cm::Val::none());
        return {};
      }
      auto rep = push(c, std::make_unique<TerminalHandle>());
      if (!rep) return std::move(rep).error();
      r.push_back(cm::Val::some(own(input ? types->terminal_input : types->terminal_output, *rep)));
      return {};
    });
    if (auto st = d.status(); !st) return st;
  }
  return {};
}

}  // namespace

api::Result<void> add_cli(cm::Linker& linker, const Types& types) {
  if (auto st = add_environment(linker); !st) return st;
  if (auto st = add_exit(linker); !st) return st;
  if (auto st = add_stdio(linker, types); !st) return st;
  return add_terminal(linker, types);
}

}  // namespace hull::wasi::p2
