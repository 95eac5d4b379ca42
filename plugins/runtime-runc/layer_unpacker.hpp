// Unpacks a tar (gzip, zstd or plain: libarchive tells them apart) into a directory that must
// not exist yet, all or nothing: it is filled beside its final name and renamed at the end, so
// a refused or broken archive leaves nothing. Owners, modes, times and xattrs are kept. An
// entry whose path or hard-link target has a ".." component, or that would be written through
// a symlink, is refused: nothing lands outside the directory. For image layers, whiteouts
// become overlayfs's: `.wh.<name>` a 0/0 character device, `.wh..wh..opq` the parent's
// `trusted.overlay.opaque=y`.
#pragma once

#include <string>

namespace skiff::runc {

struct UnpackOptions {
  bool overlay_whiteouts = true;  // false for archives that are not layers (docker save, OCI layouts)
};

// Throws sdk::Error(422) naming the archive and the entry that was refused or could not be written.
void unpack_tar(const std::string& archive_path, const std::string& destination, UnpackOptions options = {});

// The entry path with "./" and leading slashes dropped; "" when it has a ".." component (refused).
std::string contained_entry_path(const std::string& path);

}  // namespace skiff::runc
