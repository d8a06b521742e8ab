#pragma once
// Atomic file replacement: a reader (or a crashed run) never sees a half-written output file.
// The content goes to a temporary file in the destination's folder (same file system, so the
// final rename is atomic), which is fsynced, renamed over the destination, and the folder fsynced.
#include <filesystem>
#include <functional>
#include <string>

namespace graspqp {

// Calls writer(tmp) to produce the complete file at tmp (".<dst name>.tmp.<pid>.<random>" next to
// dst; it already exists, empty, so the writer must truncate/overwrite it), then publishes it as dst.
// If the writer throws, the temporary file is removed, dst is left untouched, and the exception is
// rethrown unchanged. File-system failures (folder missing or not writable, rename failing, ...)
// throw graspqp::Error("<dst>: <problem>"). The parent folder is not created.
void write_file_atomically(const std::filesystem::path& dst,
                           const std::function<void(const std::filesystem::path& tmp)>& writer);

// write_file_atomically for a plain text/binary payload.
void write_text_atomically(const std::filesystem::path& dst, const std::string& content);

}  // namespace graspqp
