#ifndef LABELLOOP_COMMON_CLASS_CHANGES_H_
#define LABELLOOP_COMMON_CLASS_CHANGES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/store.h"
#include "labelloop/v1/dataset.pb.h"

namespace labelloop {

// Class changes in the middle of a project, each one transaction recorded in class_changes
// (schema 5). Rename changes only the name: boxes refer to classes by id. Merge and delete
// rewrite the latest label of every image that uses the class: a new label version (annotator
// "class change N"; older versions are kept, still naming the retired class), the image marked
// in images_to_review as ambiguous, and the pair of versions in class_change_labels. Retired
// classes are no longer listed, trained or accepted; adding the name again revives them.
// Errors: INVALID_ARGUMENT for a bad name, NOT_FOUND for an unknown class, ALREADY_EXISTS when
// the new name is taken.

// The rules every class name follows: 1 to 200 characters, no commas, tabs or newlines, no
// leading or trailing spaces. INVALID_ARGUMENT naming `field` and the name otherwise.
absl::Status ValidateClassName(const std::string& name, const std::string& field);

absl::StatusOr<v1::ClassChange> AddClass(Store* store, const std::string& name, int64_t now_ms);
absl::StatusOr<v1::ClassChange> RenameClass(Store* store, const std::string& from,
                                            const std::string& to, int64_t now_ms);
// `target` may be new (it is added) or an existing class not among `sources`.
absl::StatusOr<v1::ClassChange> MergeClasses(Store* store, const std::vector<std::string>& sources,
                                             const std::string& target, int64_t now_ms);
absl::StatusOr<v1::ClassChange> DeleteClass(Store* store, const std::string& name, int64_t now_ms);

// Every recorded change, oldest first, with the images each one sent to review.
absl::StatusOr<std::vector<v1::ClassChange>> ListClassChanges(Store* store);

// Where a class called `name` went through `changes` (oldest first): its name after the last
// rename or merge, or "" when it was deleted. Warm starts use it to carry a model's learned
// classifier rows over to renamed and merged classes. A name reused after a change (deleted,
// then added again) is traced from its first use, which only matters for a model older than
// the reuse.
std::string TraceClassName(const std::vector<v1::ClassChange>& changes, const std::string& name);

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_CLASS_CHANGES_H_
