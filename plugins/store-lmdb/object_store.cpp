// Each value is a 44-byte header (revision, uid) and the object stamped with both, so
// compare-and-swap and uid checks never parse the object.
#include "object_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <optional>


#include "checkpoint_file.hpp"
#include "skiff/api/meta/v1/meta.pb.h"
#include "skiff/sdk/object_bytes.hpp"
#include "skiff/sdk/custom_resource_types.hpp"
#include "skiff/sdk/resources.hpp"
#include "skiff/sdk/store/list_paging.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::store {
namespace {

using sdk::Error;
using sdk::Status;

constexpr std::string_view kFormatKey = "format";
constexpr std::string_view kFormat = "skiff-store-1";
constexpr std::string_view kRevisionKey = "revision";
constexpr std::string_view kResourceRevisionPrefix = "rev/";
constexpr std::size_t kUidSize = 36;
constexpr std::size_t kHeaderSize = 8 + kUidSize;
constexpr std::size_t kMaxListReplyBytes = 768 * 1024;

std::string encode_int(std::int64_t value) {
  std::string out(8, '\0');
  std::memcpy(out.data(), &value, 8);
  return out;
}

std::int64_t decode_int(std::string_view bytes) {
  std::int64_t value = 0;
  if (bytes.size() == 8) std::memcpy(&value, bytes.data(), 8);
  return value;
}

const sdk::ResourceType& resource_type(const std::string& resource) {
  const sdk::ResourceType* type = sdk::find_resource_or_custom(resource);
  if (!type) throw Error(Status::BadRequest("unknown resource '" + resource + "'"));
  return *type;
}

std::string qualified(const v1::ObjectKey& key) { return key.resource() + " \"" + key.name() + "\""; }

// LMDB never syncs on commit: the write-ahead log makes each group commit durable, and the
// checkpointer syncs LMDB's pages (sync_to_disk) before it drops the log they cover.
constexpr unsigned kEnvFlags = MDB_NOSYNC;

}  // namespace

// A stored value, split into its header and the object.
struct ObjectStore::Stored {
  std::int64_t revision;
  std::string_view uid;
  std::string_view object;

  static Stored parse(std::string_view value) {
    if (value.size() < kHeaderSize) throw Error(Status::Internal("store: a record is damaged (too short)"));
    return {decode_int(value.substr(0, 8)), value.substr(8, kUidSize), value.substr(kHeaderSize)};
  }
  static std::string encode(std::int64_t revision, std::string_view uid, std::string_view object) {
    std::string value = encode_int(revision);
    value.append(uid);
    value.append(object);
    return value;
  }
};

std::string object_key(const v1::ObjectKey& key) {
  const sdk::ResourceType& type = resource_type(key.resource());
  if (key.name().empty()) throw Error(Status::BadRequest("object key has no name"));
  // A custom resource's scope is its CRD's, which the apiserver checks.
  if (type.namespaced && key.namespace_().empty() && !sdk::is_custom_resource(type))
    throw Error(Status::BadRequest(key.resource() + " are namespaced: the key needs a namespace"));
  if (!type.namespaced && !key.namespace_().empty())
    throw Error(Status::BadRequest(key.resource() + " are cluster-scoped: the key must not have a namespace"));
  if (key.name().find('/') != std::string::npos || key.namespace_().find('/') != std::string::npos)
    throw Error(Status::BadRequest("names and namespaces may not contain '/'"));
  return key.resource() + "/" + key.namespace_() + "/" + key.name();
}

ObjectStore::ObjectStore(const StoreOptions& options) : options_(options) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) throw Error(Status::Internal("store: cannot create " + options.dir + ": " + ec.message()));
  // LMDB itself allows several processes on one environment; Skiff wants exactly one writer.
  std::string lock_path = options.dir + "/store.lock";
  lock_fd_ = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) throw Error(Status::Internal("store: cannot open " + lock_path + ": " + std::strerror(errno)));
  if (flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    char pid[32] = {0};
    (void)!pread(lock_fd_, pid, sizeof pid - 1, 0);
    close(lock_fd_);
    lock_fd_ = -1;
    throw Error(Status::Conflict("store: " + options.dir + " is in use by another process" +
                                 (*pid ? " (pid " + std::string(pid) + ")" : std::string()) +
                                 "; stop it or give this store its own data_dir"));
  }
  std::string mine = std::to_string(getpid());
  (void)!ftruncate(lock_fd_, 0);
  (void)!pwrite(lock_fd_, mine.data(), mine.size(), 0);

  // After a reboot the pages LMDB wrote since its last checkpoint may be missing: start from the
  // checkpoint (the log has the rest). A clean stop's last checkpoint is its final state anyway.
  if (auto checkpoint = read_checkpoint_file(options.dir);
      checkpoint && checkpoint->boot_id != current_boot_id() && std::filesystem::exists(options.dir + "/data.mdb")) {
    restore_meta_pages(options.dir, *checkpoint);
    restored_checkpoint_ = checkpoint->revision;
  }
  try {
    env_ = std::make_unique<LmdbEnv>(options.dir, options.map_size, kEnvFlags);
  } catch (const LmdbError& e) {
    close(lock_fd_);
    std::string why = e.code() == MDB_INVALID || e.code() == MDB_VERSION_MISMATCH || e.code() == MDB_CORRUPTED
                          ? options.dir + "/data.mdb is not a readable LMDB file (corrupt, or written by something "
                                          "else); move it away, or point data_dir at an empty directory"
                          : options.dir + ": " + e.what();
    throw Error(Status::Internal("store: " + why));
  }
  LmdbTxn txn(*env_, false);
  auto format = txn.get(env_->meta(), kFormatKey);
  if (!format) {
    // A new store has nothing but our two (empty) tables; anything else belongs to someone else.
    MDB_dbi main_table;
    if (mdb_dbi_open(txn.get(), nullptr, 0, &main_table) != MDB_SUCCESS)
      throw Error(Status::Internal("store: cannot read " + options.dir));
    LmdbCursor tables(txn, main_table);
    LmdbCursor objects(txn, env_->objects());
    bool foreign = objects.seek("");
    for (bool ok = tables.seek(""); ok && !foreign; ok = tables.next())
      foreign = tables.key() != "objects" && tables.key() != "meta";
    if (foreign)
      throw Error(Status::Internal("store: " + options.dir + " holds LMDB data that is not a Skiff store; point "
                                   "data_dir at an empty directory"));
    txn.put(env_->meta(), kFormatKey, kFormat);
  } else if (*format != kFormat) {
    throw Error(Status::Internal("store: " + options.dir + " has store format '" + std::string(*format) +
                                 "', this store-lmdb reads '" + std::string(kFormat) + "'"));
  }
  if (auto revision = txn.get(env_->meta(), kRevisionKey)) revision_ = decode_int(*revision);
  txn.commit();
}

ObjectStore::~ObjectStore() {
  env_.reset();
  if (lock_fd_ >= 0) close(lock_fd_);
}

void ObjectStore::sync_to_disk() {
  int rc = mdb_env_sync(env_->get(), 1);
  if (rc != MDB_SUCCESS) throw LmdbError(rc, "sync failed");
}

ObjectStore::Pin ObjectStore::pin_checkpoint() {
  sync_to_disk();  // the bulk of it, while writes go on
  Pin pin;
  {
    LmdbTxn hold_writes(*env_, false);  // no commit until the state is pinned and synced
    pin.reader = std::make_unique<LmdbTxn>(*env_, true);
    sync_to_disk();  // what was committed since the first sync
    MDB_stat stat;
    mdb_env_stat(env_->get(), &stat);
    int fd = -1;
    mdb_env_get_fd(env_->get(), &fd);
    pin.meta_pages.resize(2 * stat.ms_psize);
    if (pread(fd, pin.meta_pages.data(), pin.meta_pages.size(), 0) != static_cast<ssize_t>(pin.meta_pages.size()))
      throw Error(Status::Internal("store: cannot read data.mdb's meta pages in " + options_.dir + ": " +
                                   std::strerror(errno)));
  }
  if (auto revision = pin.reader->get(env_->meta(), kRevisionKey)) pin.revision = decode_int(*revision);
  return pin;
}

std::int64_t ObjectStore::revision() const {
  std::lock_guard lock(revision_mutex_);
  return revision_;
}

void ObjectStore::set_revision(std::int64_t revision) {
  std::lock_guard lock(revision_mutex_);
  revision_ = revision;
}

std::map<std::string, std::int64_t> ObjectStore::resource_revisions() const {
  std::map<std::string, std::int64_t> out;
  LmdbTxn txn(*env_, true);
  LmdbCursor cursor(txn, env_->meta());
  for (bool ok = cursor.seek(kResourceRevisionPrefix); ok && cursor.key().starts_with(kResourceRevisionPrefix);
       ok = cursor.next())
    out[std::string(cursor.key().substr(kResourceRevisionPrefix.size()))] = decode_int(cursor.value());
  return out;
}

v1::GetResponse ObjectStore::get(const v1::ObjectKey& key) const {
  std::string k = object_key(key);
  LmdbTxn txn(*env_, true);
  auto value = txn.get(env_->objects(), k);
  if (!value) throw Error(Status::NotFound(qualified(key) + " not found"));
  Stored stored = Stored::parse(*value);
  v1::GetResponse response;
  response.set_object(std::string(stored.object));
  response.set_revision(stored.revision);
  return response;
}

v1::GetManyResponse ObjectStore::get_many(const v1::GetManyRequest& request) const {
  LmdbTxn txn(*env_, true);
  v1::GetManyResponse response;
  std::size_t bytes = 0;
  for (const auto& key : request.keys()) {
    auto* result = response.add_results();
    auto value = txn.get(env_->objects(), object_key(key));
    if (!value) continue;
    Stored stored = Stored::parse(*value);
    bytes += stored.object.size();
    if (bytes > kMaxListReplyBytes)
      throw Error(Status{413, "RequestEntityTooLarge",
                         "getmany: the objects asked for do not fit in one reply; ask for fewer keys at a time"});
    result->set_object(std::string(stored.object));
    result->set_revision(stored.revision);
  }
  return response;
}

v1::ListResponse ObjectStore::list(const v1::ListRequest& request) const {
  const sdk::ResourceType& type = resource_type(request.resource());
  sdk::ListFilter filter(type, request);
  const std::string* namespace_filter = filter.namespace_filter();
  std::string ns = !request.namespace_().empty() ? request.namespace_() : namespace_filter ? *namespace_filter : "";
  std::string prefix = request.resource() + "/" + (ns.empty() ? "" : ns + "/");

  LmdbTxn txn(*env_, true);
  v1::ListResponse response;
  std::string start = prefix;
  std::int64_t list_revision;
  {
    std::lock_guard lock(revision_mutex_);
    list_revision = revision_;
  }
  if (!request.continue_().empty()) {
    auto [revision, last_key] = sdk::decode_continue(request.continue_());
    if (!last_key.starts_with(prefix)) throw Error(Status::BadRequest("continue token belongs to another list"));
    list_revision = revision;
    start = last_key + '\0';  // the first key after the last one returned
  }
  response.set_revision(list_revision);

  LmdbCursor cursor(txn, env_->objects());
  std::string last_key;
  std::size_t reply_bytes = 0;
  for (bool ok = cursor.seek(start); ok && cursor.key().starts_with(prefix); ok = cursor.next()) {
    if (request.limit() > 0 && response.objects_size() == request.limit()) {
      response.set_continue_(sdk::encode_continue(list_revision, last_key));  // more keys follow
      break;
    }
    Stored stored = Stored::parse(cursor.value());
    // A reply must fit in one bus message (NATS' default limit is 1 MiB): the rest is a next page.
    if (response.objects_size() > 0 && reply_bytes + stored.object.size() > kMaxListReplyBytes) {
      response.set_continue_(sdk::encode_continue(list_revision, last_key));
      break;
    }
    if (!filter.matches(stored.object)) continue;
    response.add_objects(stored.object.data(), stored.object.size());
    reply_bytes += stored.object.size() + 8;
    last_key.assign(cursor.key());
  }
  return response;
}

v1::InfoResponse ObjectStore::info(std::int64_t history_floor) const {
  v1::InfoResponse info;
  info.set_revision(revision());
  info.set_history_floor(history_floor);
  info.set_data_dir(options_.dir);
  LmdbTxn txn(*env_, true);
  MDB_stat stat;
  mdb_stat(txn.get(), env_->objects(), &stat);
  info.set_objects(static_cast<std::int64_t>(stat.ms_entries));
  MDB_envinfo env_info;
  mdb_env_info(env_->get(), &env_info);
  MDB_stat env_stat;
  mdb_env_stat(env_->get(), &env_stat);
  info.set_map_size(static_cast<std::int64_t>(env_info.me_mapsize));
  info.set_used_bytes(static_cast<std::int64_t>((env_info.me_last_pgno + 1) * env_stat.ms_psize));
  return info;
}

// Checks a whole transaction before writing any of it, so that a failing one leaves the
// batch untouched without LMDB's nested transactions (which WRITEMAP does not allow).
// Later operations see the effect of earlier ones through `overlay`.
class ObjectStore::TxnCheck {
 public:
  struct Existing {
    std::int64_t revision;
    std::string uid;
  };

  TxnCheck(const LmdbTxn& txn, MDB_dbi objects) : txn_(txn), objects_(objects) {}

  std::optional<Existing> lookup(const std::string& key) {
    if (auto it = overlay_.find(key); it != overlay_.end()) return it->second;
    auto value = txn_.get(objects_, key);
    if (!value) return std::nullopt;
    Stored stored = Stored::parse(*value);
    return Existing{stored.revision, std::string(stored.uid)};
  }
  void set(const std::string& key, std::optional<Existing> state) { overlay_[key] = std::move(state); }

 private:
  const LmdbTxn& txn_;
  MDB_dbi objects_;
  std::map<std::string, std::optional<Existing>> overlay_;
};

namespace {

[[noreturn]] void modified(const v1::ObjectKey& key) {
  throw Error(Status::Conflict("Operation cannot be fulfilled on " + qualified(key) +
                               ": the object has been modified; please apply your changes to the latest version and "
                               "try again"));
}

Change change_of(const std::string& resource, const char* type, std::int64_t revision, const std::string& object) {
  Change change{resource, {}};
  change.event.set_type(type);
  change.event.set_revision(revision);
  change.event.set_object(object);
  return change;
}

}  // namespace

v1::TxnResponse ObjectStore::apply(LmdbTxn& batch, const v1::TxnRequest& request, std::int64_t revision,
                                   std::vector<Change>& changes, WalBatchEncoder& wal) {
  if (request.operations().empty()) throw Error(Status::BadRequest("transaction without operations"));
  TxnCheck check(batch, env_->objects());
  for (const auto& condition : request.conditions()) {
    auto existing = check.lookup(object_key(condition.key()));
    if (condition.expected_revision() == -1 && existing)
      throw Error(Status::Conflict("condition failed: " + qualified(condition.key()) + " exists"));
    if (condition.expected_revision() >= 0 && !existing)
      throw Error(Status::Conflict("condition failed: " + qualified(condition.key()) + " does not exist"));
    if (condition.expected_revision() > 0 && existing->revision != condition.expected_revision())
      throw Error(Status::Conflict("condition failed: " + qualified(condition.key()) + " is not at revision " +
                                   std::to_string(condition.expected_revision())));
  }
  // 1. Check every operation (and decide uids), writing nothing.
  std::vector<std::string> uids;
  for (const auto& op : request.operations()) {
    switch (op.op_case()) {
      case v1::Operation::kCreate: {
        std::string k = object_key(op.create().key());
        if (check.lookup(k)) throw Error(Status::AlreadyExists(qualified(op.create().key()) + " already exists"));
        uids.push_back(op.create().uid().empty() ? sdk::new_uid() : op.create().uid());
        check.set(k, TxnCheck::Existing{revision, uids.back()});
        break;
      }
      case v1::Operation::kUpdate: {
        std::string k = object_key(op.update().key());
        auto existing = check.lookup(k);
        if (!existing) throw Error(Status::NotFound(qualified(op.update().key()) + " not found"));
        if (op.update().expected_revision() != 0 && op.update().expected_revision() != existing->revision)
          modified(op.update().key());
        uids.push_back(existing->uid);  // the uid never changes
        check.set(k, TxnCheck::Existing{revision, existing->uid});
        break;
      }
      case v1::Operation::kDelete: {
        const v1::DeleteRequest& del = op.delete_();
        std::string k = object_key(del.key());
        auto existing = check.lookup(k);
        if (!existing) throw Error(Status::NotFound(qualified(del.key()) + " not found"));
        if (del.expected_revision() != 0 && del.expected_revision() != existing->revision) modified(del.key());
        if (!del.expected_uid().empty() && del.expected_uid() != existing->uid)
          throw Error(Status::Conflict("Precondition failed: UID in precondition: " + del.expected_uid() +
                                       ", UID in object meta: " + existing->uid));
        uids.push_back(existing->uid);
        check.set(k, std::nullopt);
        break;
      }
      default: throw Error(Status::BadRequest("transaction operation without create, update or delete"));
    }
  }
  // 2. Write. Only LMDB itself can fail now, and that fails the whole batch.
  v1::TxnResponse response;
  response.set_revision(revision);
  const std::string rv = std::to_string(revision);
  for (int i = 0; i < request.operations_size(); ++i) {
    const v1::Operation& op = request.operations(i);
    v1::WriteResponse* result = response.add_results();
    result->set_revision(revision);
    if (op.has_delete_()) {
      std::string k = object_key(op.delete_().key());
      Stored stored = Stored::parse(*batch.get(env_->objects(), k));
      // The deleted object's last state carries the deletion's revision, as Kubernetes watchers expect.
      result->set_object(sdk::stamp_object(stored.object, uids[i], rv));
      batch.erase(env_->objects(), k);
      wal.add(WalMutation::Kind::Deleted, revision, op.delete_().key().resource(), k, result->object(), 0);
      changes.push_back(change_of(op.delete_().key().resource(), "DELETED", revision, result->object()));
      continue;
    }
    const bool create = op.has_create();
    const v1::ObjectKey& key = create ? op.create().key() : op.update().key();
    result->set_object(sdk::stamp_object(create ? op.create().object() : op.update().object(), uids[i], rv));
    std::string k = object_key(key);
    std::string value = Stored::encode(revision, uids[i], result->object());
    batch.put(env_->objects(), k, value);
    wal.add(create ? WalMutation::Kind::Added : WalMutation::Kind::Modified, revision, key.resource(), k, value,
            kHeaderSize);
    changes.push_back(change_of(key.resource(), create ? "ADDED" : "MODIFIED", revision, result->object()));
  }
  return response;
}

void ObjectStore::replay(const WalBatch& logged, const std::vector<Change>& changes) {
  LmdbTxn batch(*env_, false);
  for (const auto& m : logged.mutations) {
    if (m.kind == WalMutation::Kind::Deleted)
      batch.erase(env_->objects(), m.key);  // false when it is gone already: nothing to do
    else
      batch.put(env_->objects(), m.key, m.value);
  }
  record_revisions(batch, logged.revision, changes);
  batch.commit();
  set_revision(logged.revision);
}

void ObjectStore::record_revisions(LmdbTxn& batch, std::int64_t revision, const std::vector<Change>& changes) {
  batch.put(env_->meta(), kRevisionKey, encode_int(revision));
  std::map<std::string, std::int64_t> last;
  for (const auto& change : changes) last[change.resource] = change.event.revision();
  for (const auto& [resource, rev] : last)
    batch.put(env_->meta(), std::string(kResourceRevisionPrefix) + resource, encode_int(rev));
}

}  // namespace skiff::store
