// wasi:filesystem — types (descriptor, directory-entry-stream, error codes) and preopens, as
// component values over the core's descriptor operations.
#include "wasi/p2/host.h"

namespace hull::wasi::p2 {

namespace {

const char* const kTypeNames[] = {"unknown", "block-device",  "character-device", "directory",
                                  "fifo",    "symbolic-link", "regular-file",     "socket"};
const char* const kFlagNames[] = {"read",
                                  "write",
                                  "file-integrity-sync",
                                  "data-integrity-sync",
                                  "requested-write-sync",
                                  "mutate-directory"};
const char* const kOpenFlagNames[] = {"create", "directory", "exclusive", "truncate"};
const char* const kAdviceNames[] = {"normal",    "sequential", "random",
                                    "will-need", "dont-need",  "no-reuse"};

// wasi:filesystem's error-code for a core Errno.
const char* error_code(Errno e) {
  switch (e) {
    case Errno::acces: return "access";
    case Errno::again: return "would-block";
    case Errno::already: return "already";
    case Errno::badf: return "bad-descriptor";
    case Errno::busy: return "busy";
    case Errno::deadlk: return "deadlock";
    case Errno::dquot: return "quota";
    case Errno::exist: return "exist";
    case Errno::fbig: return "file-too-large";
    case Errno::ilseq: return "illegal-byte-sequence";
    case Errno::inprogress: return "in-progress";
    case Errno::intr: return "interrupted";
    case Errno::inval: return "invalid";
    case Errno::isdir: return "is-directory";
    case Errno::loop: return "loop";
    case Errno::mlink: return "too-many-links";
    case Errno::msgsize: return "message-size";
    case Errno::nametoolong: return "name-too-long";
    case Errno::nodev: return "no-device";
    case Errno::noent: return "no-entry";
    case Errno::nolck: return "no-lock";
    case Errno::nomem: return "insufficient-memory";
    case Errno::nospc: return "insufficient-space";
    case Errno::notdir: return "not-directory";
    case Errno::notempty: return "not-empty";
    case Errno::notrecoverable: return "not-recoverable";
    case Errno::notsup: return "unsupported";
    case Errno::notty: return "no-tty";
    case Errno::nxio: return "no-such-device";
    case Errno::overflow: return "overflow";
    case Errno::perm:
    case Errno::notcapable: return "not-permitted";
    case Errno::pipe: return "pipe";
    case Errno::rofs: return "read-only";
    case Errno::spipe: return "invalid-seek";
    case Errno::txtbsy: return "text-file-busy";
    case Errno::xdev: return "cross-device";
    default: return "io";
  }
}

uint32_t flag_bits(const cm::Val& v, std::span<const char* const> names) {
  uint32_t bits = 0;
  for (const std::string& n : v.names()) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (n == names[i]) bits |= 1u << i;
    }
  }
  return bits;
}

cm::Val flags_val(uint32_t bits, std::span<const char* const> names) {
  std::vector<std::string> set;
  for (size_t i = 0; i < names.size(); ++i) {
    if (bits & (1u << i)) set.emplace_back(names[i]);
  }
  return cm::Val::flags(std::move(set));
}

uint32_t enum_index(const cm::Val& v, std::span<const char* const> names) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (v.case_name() == names[i]) return static_cast<uint32_t>(i);
  }
  return static_cast<uint32_t>(names.size());
}

cm::Val type_val(DescriptorType t) {
  return cm::Val::enumeration(kTypeNames[static_cast<size_t>(t)]);
}

cm::Val datetime(const Timestamp& t) {
  return cm::Val::record(
      {{"seconds", cm::Val::u64(t.seconds)}, {"nanoseconds", cm::Val::u32(t.nanoseconds)}});
}

cm::Val opt_datetime(const std::optional<Timestamp>& t) {
  return t ? cm::Val::some(datetime(*t)) : cm::Val::none();
}

cm::Val stat_val(const DescriptorStat& s) {
  return cm::Val::record({{"type", type_val(s.type)},
                          {"link-count", cm::Val::u64(s.link_count)},
                          {"size", cm::Val::u64(s.size)},
                          {"data-access-timestamp", opt_datetime(s.access)},
                          {"data-modification-timestamp", opt_datetime(s.modification)},
                          {"status-change-timestamp", opt_datetime(s.status_change)}});
}

NewTimestamp new_timestamp(const cm::Val& v) {
  NewTimestamp t;
  if (v.case_name() == "now") {
    t.kind = NewTimestamp::Kind::now;
  } else if (v.case_name() == "timestamp" && v.payload()) {
    t.kind = NewTimestamp::Kind::timestamp;
    t.at.seconds = v.payload()->items()[0].as_u64();
    t.at.nanoseconds = static_cast<uint32_t>(v.payload()->items()[1].as_u64());
  }
  return t;
}

// path-flags has one flag, symlink-follow.
bool follow(const cm::Val& path_flags) { return !path_flags.names().empty(); }

// result<T, error-code>
api::Result<void> answer(Errno e, std::optional<cm::Val> ok, Results& r) {
  if (e == Errno::success) {
    r.push_back(cm::Val::ok(std::move(ok)));
  } else {
    r.push_back(cm::Val::err(cm::Val::enumeration(error_code(e))));
  }
  return {};
}

// The descriptor argument `i`.
#define HULL_DESCRIPTOR(name, i)                              \
  auto name##_found = get<Descriptor>(c, a[i], "descriptor"); \
  if (!name##_found) return std::move(name##_found).error();  \
  Descriptor& name = **name##_found

api::Result<void> add_types(cm::Linker& linker, const Types& types) {
  Definer d(linker, "wasi:filesystem/types");
  d.uses("input-stream", types->input_stream);
  d.uses("output-stream", types->output_stream);
  d.uses("error", types->error);
  types->descriptor = d.resource("descriptor");
  types->directory_entry_stream = d.resource("directory-entry-stream");

  auto stream = [types](bool input, bool append) {
    return [types, input, append](Ctx& c, Args a, Results& r) -> api::Result<void> {
      HULL_DESCRIPTOR(fd, 0);
      uint64_t offset = append ? 0 : a[1].as_u64();
      std::unique_ptr<HostObject> s;
      Errno e;
      if (input) {
        std::unique_ptr<InputStream> in;
        e = read_via_stream(fd, offset, &in);
        s = std::move(in);
      } else {
        std::unique_ptr<OutputStream> out;
        e = write_via_stream(fd, offset, append, &out);
        s = std::move(out);
      }
      if (e != Errno::success) return answer(e, std::nullopt, r);
      // Streams keep the file open by themselves: no parent link to the descriptor.
      auto rep = push(c, std::move(s));
      if (!rep) return std::move(rep).error();
      return answer(e, own(input ? types->input_stream : types->output_stream, *rep), r);
    };
  };
  d.fn("[method]descriptor.read-via-stream", stream(true, false));
  d.fn("[method]descriptor.write-via-stream", stream(false, false));
  d.fn("[method]descriptor.append-via-stream", stream(false, true));
  d.fn("[method]descriptor.advise", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    HULL_DESCRIPTOR(fd, 0);
    return answer(advise(fd, a[1].as_u64(), a[2].as_u64(), enum_index(a[3], kAdviceNames)),
                  std::nullopt, r);
  });
  d.fn("[method]descriptor.sync-data", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    HULL_DESCRIPTOR(fd, 0);
    return answer(sync(fd, true), std::nullopt, r);
  });
  d.fn("[method]descriptor.sync", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    HULL_DESCRIPTOR(fd, 0);
    return answer(sync(fd, false), std::nullopt, r);
  });
  d.fn("[method]descriptor.get-flags", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    HULL_DESCRIPTOR(fd, 0);
    return answer(Errno::success, flags_val(fd.flags(), kFlagNames), r);
  });
  d.fn("[method]descriptor.get-type", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    HULL_DESCRIPTOR(fd, 0);
    // The type now (a descriptor's file can be replaced under a name, not under the fd).
    DescriptorStat s;
    Errno e = stat(fd, &s);
    return answer(e, type_val(e == Errno::success ? s.type : fd.type()), r);
  });
  d.fn("[method]descriptor.set-size", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    HULL_DESCRIPTOR(fd, 0);
    return answer(set_size(fd, a[1].as_u64()), std::nullopt, r);
  });
  d.fn("[method]descriptor.set-times", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    HULL_DESCRIPTOR(fd, 0);
    return answer(set_times(fd, new_timestamp(a[1]), new_timestamp(a[2])), std::nullopt, r);
  });
  d.fn("[method]descriptor.read", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    HULL_DESCRIPTOR(fd, 0);
    std::string bytes;
    bool end = false;
    Errno e = read_at(fd, a[1].as_u64(), a[2].as_u64(), &bytes, &end);
    if (e != Errno::success) return answer(e, std::nullopt, r);
    return answer(e, cm::Val::tuple({bytes_val(bytes), cm::Val::boolean(end)}), r);
  });
  d.fn("[method]descriptor.write", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    HULL_DESCRIPTOR(fd, 0);
    std::string bytes = bytes_of(a[1]);
    uint64_t n = 0;
    Errno e = write_at(fd, bytes, a[2].as_u64(), &n);
    return answer(e, cm::Val::u64(n), r);
  });
  d.fn("[method]descriptor.read-directory",
       [types](Ctx& c, Args a, Results& r) -> api::Result<void> {
         HULL_DESCRIPTOR(fd, 0);
         std::unique_ptr<DirectoryEntries> entries;
         Errno e = read_directory(fd, &entries);
         if (e != Errno::success) return answer(e, std::nullopt, r);
         auto rep = push(c, std::move(entries));
         if (!rep) return std::move(rep).error();
         return answer(e, own(types->directory_entry_stream, *rep), r);
       });
  d.fn("[method]descriptor.create-directory-at",
       [](Ctx& c, Args a, Results& r) -> api::Result<void> {
         HULL_DESCRIPTOR(fd, 0);
         return answer(create_directory_at(fd, a[1].as_string()), std::nullopt, r);
       });
  d.fn("[method]descriptor.stat", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    HULL_DESCRIPTOR(fd, 0);
    DescriptorStat s;
    Errno e = stat(fd, &s);
    return answer(e, stat_val(s), r);
  });
  d.fn("[method]descriptor.stat-at", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    HULL_DESCRIPTOR(fd, 0);
    DescriptorStat s;
    Errno e = stat_at(fd, follow(a[1]), a[2].as_string(), &s);
    return answer(e, stat_val(s), r);
  });
  d.fn("[method]descriptor.set-times-at", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    HULL_DESCRIPTOR(fd, 0);
    return answer(
        set_times_at(fd, follow(a[1]), a[2].as_string(), new_timestamp(a[3]), new_timestamp(a[4])),
        std::nullopt, r);
  });
  d.fn("[method]descriptor.link-at", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    HULL_DESCRIPTOR(fd, 0);
    HULL_DESCRIPTOR(to, 3);
    return answer(link_at(fd, follow(a[1]), a[2].as_string(), to, a[4].as_string()), std::nullopt,
                  r);
  });
  d.fn("[method]descriptor.open-at", [types](Ctx& c, Args a, Results& r) -> api::Result<void> {
    HULL_DESCRIPTOR(fd, 0);
    std::unique_ptr<Descriptor> opened;
    Errno e = open_at(fd, follow(a[1]), a[2].as_string(), flag_bits(a[3], kOpenFlagNames),
                      flag_bits(a[4], kFlagNames), &opened);
    if (e != Errno::success) return answer(e, std::nullopt, r);
    auto rep = push(c, std::move(opened));
    if (!rep) return std::move(rep).error();
    return answer(e, own(types->descriptor, *rep), r);
  });
  d.fn("[method]descriptor.readlink-at", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    HULL_DESCRIPTOR(fd, 0);
    std::string target;
    Errno e = readlink_at(fd, a[1].as_string(), &target);
    return answer(e, cm::Val::string(target), r);
  });
  d.fn("[method]descriptor.remove-directory-at",
       [](Ctx& c, Args a, Results& r) -> api::Result<void> {
         HULL_DESCRIPTOR(fd, 0);
         return answer(remove_directory_at(fd, a[1].as_string()), std::nullopt, r);
       });
  d.fn("[method]descriptor.rename-at", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    HULL_DESCRIPTOR(fd, 0);
    HULL_DESCRIPTOR(to, 2);
    return answer(rename_at(fd, a[1].as_string(), to, a[3].as_string()), std::nullopt, r);
  });
  d.fn("[method]descriptor.symlink-at", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    HULL_DESCRIPTOR(fd, 0);
    return answer(symlink_at(fd, a[1].as_string(), a[2].as_string()), std::nullopt, r);
  });
  d.fn("[method]descriptor.unlink-file-at", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    HULL_DESCRIPTOR(fd, 0);
    return answer(unlink_file_at(fd, a[1].as_string()), std::nullopt, r);
  });
  d.fn("[method]descriptor.is-same-object", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    HULL_DESCRIPTOR(fd, 0);
    HULL_DESCRIPTOR(other, 1);
    r.push_back(cm::Val::boolean(is_same_object(fd, other)));
    return {};
  });
  auto hash_val = [](const MetadataHash& h) {
    return cm::Val::record({{"lower", cm::Val::u64(h.lower)}, {"upper", cm::Val::u64(h.upper)}});
  };
  d.fn("[method]descriptor.metadata-hash",
       [hash_val](Ctx& c, Args a, Results& r) -> api::Result<void> {
         HULL_DESCRIPTOR(fd, 0);
         MetadataHash h;
         Errno e = metadata_hash(fd, &h);
         return answer(e, hash_val(h), r);
       });
  d.fn("[method]descriptor.metadata-hash-at",
       [hash_val](Ctx& c, Args a, Results& r) -> api::Result<void> {
         HULL_DESCRIPTOR(fd, 0);
         MetadataHash h;
         Errno e = metadata_hash_at(fd, follow(a[1]), a[2].as_string(), &h);
         return answer(e, hash_val(h), r);
       });
  d.fn("[method]directory-entry-stream.read-directory-entry",
       [](Ctx& c, Args a, Results& r) -> api::Result<void> {
         auto s = get<DirectoryEntries>(c, a[0], "directory-entry-stream");
         if (!s) return std::move(s).error();
         const DirEntry* e = (*s)->next();
         if (!e) return answer(Errno::success, cm::Val::none(), r);
         DescriptorType t = DescriptorType::unknown;
         switch (e->type) {
           case FileType::block_device: t = DescriptorType::block_device; break;
           case FileType::character_device: t = DescriptorType::character_device; break;
           case FileType::directory: t = DescriptorType::directory; break;
           case FileType::regular_file: t = DescriptorType::regular_file; break;
           case FileType::socket_dgram:
           case FileType::socket_stream: t = DescriptorType::socket; break;
           case FileType::symbolic_link: t = DescriptorType::symbolic_link; break;
           default: break;
         }
         return answer(Errno::success,
                       cm::Val::some(cm::Val::record(
                           {{"type", type_val(t)}, {"name", cm::Val::string(e->name)}})),
                       r);
       });
  d.fn("filesystem-error-code", [](Ctx& c, Args a, Results& r) -> api::Result<void> {
    auto e = get<IoError>(c, a[0], "error");
    if (!e) return std::move(e).error();
    // Only errors that came from a file operation carry a filesystem error code.
    r.push_back((*e)->code == Errno::success
                    ? cm::Val::none()
                    : cm::Val::some(cm::Val::enumeration(error_code((*e)->code))));
    return {};
  });
  return d.status();
}

api::Result<void> add_preopens(cm::Linker& linker, const Types& types) {
  Definer d(linker, "wasi:filesystem/preopens");
  d.uses("descriptor", types->descriptor);
  d.fn("get-directories", [types](Ctx& c, Args, Results& r) -> api::Result<void> {
    std::vector<cm::Val> out;
    for (const Ctx::PreopenDir& p : c.preopens) {
      auto rep = push(c, std::make_unique<Descriptor>(p.fd, DescriptorType::directory, p.flags));
      if (!rep) return std::move(rep).error();
      out.push_back(cm::Val::tuple({own(types->descriptor, *rep), cm::Val::string(p.guest_path)}));
    }
    r.push_back(cm::Val::list(std::move(out)));
    return {};
  });
  return d.status();
}

}  // namespace

api::Result<void> add_filesystem(cm::Linker& linker, const Types& types) {
  if (auto st = add_types(linker, types); !st) return st;
  return add_preopens(linker, types);
}

}  // namespace hull::wasi::p2
