// A thin RAII layer over LMDB: environment, transactions (nested too), cursors, errors.
#pragma once

#include <lmdb.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace skiff::store {

class LmdbError : public std::runtime_error {
 public:
  LmdbError(int code, const std::string& what) : std::runtime_error(what + ": " + mdb_strerror(code)), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

class LmdbEnv {
 public:
  // Opens (creating if needed) the environment in `dir` with the named databases.
  LmdbEnv(const std::string& dir, std::size_t map_size, unsigned flags);
  ~LmdbEnv();
  LmdbEnv(const LmdbEnv&) = delete;
  LmdbEnv& operator=(const LmdbEnv&) = delete;

  MDB_env* get() const { return env_; }
  MDB_dbi objects() const { return objects_; }
  MDB_dbi meta() const { return meta_; }

 private:
  MDB_env* env_ = nullptr;
  MDB_dbi objects_ = 0;
  MDB_dbi meta_ = 0;
};

class LmdbTxn {
 public:
  LmdbTxn(const LmdbEnv& env, bool read_only, LmdbTxn* parent = nullptr);
  ~LmdbTxn();  // aborts unless committed
  LmdbTxn(const LmdbTxn&) = delete;
  LmdbTxn& operator=(const LmdbTxn&) = delete;

  void commit();
  MDB_txn* get() const { return txn_; }

  // The value stays valid until the transaction ends or writes.
  std::optional<std::string_view> get(MDB_dbi dbi, std::string_view key) const;
  void put(MDB_dbi dbi, std::string_view key, std::string_view value);
  bool erase(MDB_dbi dbi, std::string_view key);

 private:
  MDB_txn* txn_ = nullptr;
};

// Iterates keys in order from a starting key, while they share a prefix.
class LmdbCursor {
 public:
  LmdbCursor(const LmdbTxn& txn, MDB_dbi dbi);
  ~LmdbCursor();
  // Positions at the first key >= `from`; false at the end.
  bool seek(std::string_view from);
  bool next();
  std::string_view key() const { return {static_cast<const char*>(key_.mv_data), key_.mv_size}; }
  std::string_view value() const { return {static_cast<const char*>(value_.mv_data), value_.mv_size}; }

 private:
  MDB_cursor* cursor_ = nullptr;
  MDB_val key_{};
  MDB_val value_{};
};

}  // namespace skiff::store
