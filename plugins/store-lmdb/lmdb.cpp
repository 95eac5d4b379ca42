// LMDB calls with their errors turned into exceptions that keep the LMDB code.
#include "lmdb.hpp"

namespace skiff::store {
namespace {

MDB_val as_val(std::string_view text) { return {text.size(), const_cast<char*>(text.data())}; }

void check(int rc, const char* what) {
  if (rc != MDB_SUCCESS) throw LmdbError(rc, what);
}

}  // namespace

LmdbEnv::LmdbEnv(const std::string& dir, std::size_t map_size, unsigned flags) {
  check(mdb_env_create(&env_), "mdb_env_create");
  try {
    check(mdb_env_set_mapsize(env_, map_size), "mdb_env_set_mapsize");
    check(mdb_env_set_maxdbs(env_, 4), "mdb_env_set_maxdbs");
    check(mdb_env_set_maxreaders(env_, 256), "mdb_env_set_maxreaders");
    // NOTLS: read transactions are not tied to threads (requests hop between bus threads).
    check(mdb_env_open(env_, dir.c_str(), flags | MDB_NOTLS, 0600), "cannot open the LMDB environment");
    LmdbTxn txn(*this, false);
    check(mdb_dbi_open(txn.get(), "objects", MDB_CREATE, &objects_), "cannot open the objects table");
    check(mdb_dbi_open(txn.get(), "meta", MDB_CREATE, &meta_), "cannot open the meta table");
    txn.commit();
  } catch (...) {
    mdb_env_close(env_);
    env_ = nullptr;
    throw;
  }
}

LmdbEnv::~LmdbEnv() {
  if (env_) mdb_env_close(env_);
}

LmdbTxn::LmdbTxn(const LmdbEnv& env, bool read_only, LmdbTxn* parent) {
  check(mdb_txn_begin(env.get(), parent ? parent->txn_ : nullptr, read_only ? MDB_RDONLY : 0, &txn_),
        "cannot begin a transaction");
}

LmdbTxn::~LmdbTxn() {
  if (txn_) mdb_txn_abort(txn_);
}

void LmdbTxn::commit() {
  MDB_txn* txn = txn_;
  txn_ = nullptr;  // commit frees the transaction even when it fails
  check(mdb_txn_commit(txn), "commit failed");
}

std::optional<std::string_view> LmdbTxn::get(MDB_dbi dbi, std::string_view key) const {
  MDB_val k = as_val(key), v{};
  int rc = mdb_get(txn_, dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  check(rc, "read failed");
  return std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
}

void LmdbTxn::put(MDB_dbi dbi, std::string_view key, std::string_view value) {
  MDB_val k = as_val(key), v = as_val(value);
  check(mdb_put(txn_, dbi, &k, &v, 0), "write failed");
}

bool LmdbTxn::erase(MDB_dbi dbi, std::string_view key) {
  MDB_val k = as_val(key);
  int rc = mdb_del(txn_, dbi, &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  check(rc, "delete failed");
  return true;
}

LmdbCursor::LmdbCursor(const LmdbTxn& txn, MDB_dbi dbi) { check(mdb_cursor_open(txn.get(), dbi, &cursor_), "cursor"); }

LmdbCursor::~LmdbCursor() { mdb_cursor_close(cursor_); }

bool LmdbCursor::seek(std::string_view from) {
  key_ = as_val(from);
  // LMDB refuses an empty key for SET_RANGE: the first key is what "from nothing" means.
  int rc = mdb_cursor_get(cursor_, &key_, &value_, from.empty() ? MDB_FIRST : MDB_SET_RANGE);
  if (rc == MDB_NOTFOUND) return false;
  check(rc, "cursor seek");
  return true;
}

bool LmdbCursor::next() {
  int rc = mdb_cursor_get(cursor_, &key_, &value_, MDB_NEXT);
  if (rc == MDB_NOTFOUND) return false;
  check(rc, "cursor next");
  return true;
}

}  // namespace skiff::store
