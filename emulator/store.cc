#include "emulator/store.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace cph::emulator {
namespace {
using nlohmann::json;

// Persistence format of the entities (not the API format: that is rendered
// in servers_api.cc / bss_api.cc from the same structs).
json to_doc(const Server& s) {
  json addresses = json::array();
  for (const Address& a : s.addresses) addresses.push_back({{"server_ip", a.server_ip}, {"public_ip", a.public_ip}});
  json volumes = json::array();
  for (const Volume& v : s.volumes)
    volumes.push_back({{"name", v.name}, {"id", v.id}, {"size_g", v.size_g}, {"type", v.type},
                       {"create_us", v.create_us}, {"update_us", v.update_us}});
  json ports = json::array();
  for (const Port& p : s.ports)
    ports.push_back({{"name", p.name}, {"listen_port", p.listen_port}, {"internet_accessible", p.internet_accessible}});
  json share_apps = json::array();
  for (const ShareApp& a : s.share_apps)
    share_apps.push_back({{"package_name", a.package_name}, {"bucket_name", a.bucket_name},
                          {"object_path", a.object_path}, {"pre_install_app", a.pre_install_app}});
  json share_files = json::array();
  for (const ShareFile& f : s.share_files)
    share_files.push_back({{"bucket_name", f.bucket_name}, {"object_path", f.object_path}});
  return {{"project_id", s.project_id},
          {"name", s.name},
          {"availability_zone", s.availability_zone},
          {"server_model_name", s.server_model_name},
          {"phone_model_name", s.phone_model_name},
          {"image_id", s.image_id},
          {"keypair_name", s.keypair_name},
          {"status", s.status},
          {"vpc_id", s.vpc_id},
          {"vpc_cidr", s.vpc_cidr},
          {"subnet_id", s.subnet_id},
          {"subnet_cidr", s.subnet_cidr},
          {"addresses", addresses},
          {"bandwidth_ids", s.bandwidth_ids},
          {"volumes", volumes},
          {"share_volume", {{"type", s.share_volume.type}, {"size_g", s.share_volume.size_g},
                            {"version", s.share_volume.version}}},
          {"security_groups", s.security_groups},
          {"ports", ports},
          {"phone_count_per_ip", s.phone_count_per_ip},
          {"network_version", s.network_version},
          {"enterprise_project_id", s.enterprise_project_id},
          {"order_id", s.order_id},
          {"product_id", s.product_id},
          {"create_us", s.create_us},
          {"update_us", s.update_us},
          {"walk_start_us", s.walk_start_us},
          {"unsubscribe_order_id", s.unsubscribe_order_id},
          {"tags", s.tags},
          {"creation_fails", s.creation_fails},
          {"share_apps", share_apps},
          {"share_files", share_files}};
}

Server server_from(std::string id, int64_t seq, const json& d) {
  Server s;
  s.id = std::move(id);
  s.seq = seq;
  d.at("project_id").get_to(s.project_id);
  d.at("name").get_to(s.name);
  d.at("availability_zone").get_to(s.availability_zone);
  d.at("server_model_name").get_to(s.server_model_name);
  d.at("phone_model_name").get_to(s.phone_model_name);
  d.at("image_id").get_to(s.image_id);
  d.at("keypair_name").get_to(s.keypair_name);
  d.at("status").get_to(s.status);
  d.at("vpc_id").get_to(s.vpc_id);
  d.at("vpc_cidr").get_to(s.vpc_cidr);
  d.at("subnet_id").get_to(s.subnet_id);
  d.at("subnet_cidr").get_to(s.subnet_cidr);
  for (const json& a : d.at("addresses")) s.addresses.push_back({a.at("server_ip"), a.at("public_ip")});
  d.at("bandwidth_ids").get_to(s.bandwidth_ids);
  for (const json& v : d.at("volumes"))
    s.volumes.push_back({v.at("name"), v.at("id"), v.at("size_g"), v.at("type"), v.at("create_us"), v.at("update_us")});
  const json& sv = d.at("share_volume");
  s.share_volume = {sv.at("type"), sv.at("size_g"), sv.at("version")};
  d.at("security_groups").get_to(s.security_groups);
  for (const json& p : d.at("ports")) s.ports.push_back({p.at("name"), p.at("listen_port"), p.at("internet_accessible")});
  d.at("phone_count_per_ip").get_to(s.phone_count_per_ip);
  d.at("network_version").get_to(s.network_version);
  d.at("enterprise_project_id").get_to(s.enterprise_project_id);
  d.at("order_id").get_to(s.order_id);
  d.at("product_id").get_to(s.product_id);
  d.at("create_us").get_to(s.create_us);
  d.at("update_us").get_to(s.update_us);
  d.at("walk_start_us").get_to(s.walk_start_us);
  d.at("unsubscribe_order_id").get_to(s.unsubscribe_order_id);
  if (auto t = d.find("tags"); t != d.end()) t->get_to(s.tags);  // schema 1 files have none
  s.creation_fails = d.value("creation_fails", false);
  // Schema 1 and 2 files have no shared apps/files.
  if (auto a = d.find("share_apps"); a != d.end())
    for (const json& x : *a)
      s.share_apps.push_back({x.at("package_name"), x.at("bucket_name"), x.at("object_path"), x.at("pre_install_app")});
  if (auto f = d.find("share_files"); f != d.end())
    for (const json& x : *f) s.share_files.push_back({x.at("bucket_name"), x.at("object_path")});
  return s;
}

json to_doc(const Bandwidth& b) {
  return {{"name", b.name},           {"project_id", b.project_id},
          {"size", b.size},           {"charge_mode", b.charge_mode},
          {"share_type", b.share_type}, {"owner_server_id", b.owner_server_id},
          {"create_us", b.create_us}, {"update_us", b.update_us}};
}

Bandwidth bandwidth_from(std::string id, int64_t seq, const json& d) {
  Bandwidth b;
  b.id = std::move(id);
  b.seq = seq;
  d.at("name").get_to(b.name);
  d.at("project_id").get_to(b.project_id);
  d.at("size").get_to(b.size);
  d.at("charge_mode").get_to(b.charge_mode);
  d.at("share_type").get_to(b.share_type);
  d.at("owner_server_id").get_to(b.owner_server_id);
  d.at("create_us").get_to(b.create_us);
  d.at("update_us").get_to(b.update_us);
  return b;
}

json to_doc(const Order& o) {
  json lines = json::array();
  for (const OrderLine& l : o.lines)
    lines.push_back({{"id", l.id},
                     {"service_type_code", l.service_type_code},
                     {"product_id", l.product_id},
                     {"period_type", l.period_type},
                     {"period_num", l.period_num},
                     {"subscription_num", l.subscription_num}});
  return {{"project_id", o.project_id},
          {"customer_id", o.customer_id},
          {"order_type", o.order_type},
          {"status", o.status},
          {"official_amount", o.official_amount},
          {"amount_after_discount", o.amount_after_discount},
          {"product_id", o.product_id},
          {"create_us", o.create_us},
          {"payment_us", o.payment_us ? json(*o.payment_us) : json(nullptr)},
          {"lines", lines},
          {"resource_ids", o.resource_ids},
          {"release_us", o.release_us},
          {"change_server_id", o.change_server_id},
          {"change_server_model", o.change_server_model},
          {"change_phone_model", o.change_phone_model},
          {"change_due_us", o.change_due_us},
          {"change_fails", o.change_fails}};
}

Order order_from(std::string id, int64_t seq, const json& d) {
  Order o;
  o.id = std::move(id);
  o.seq = seq;
  d.at("project_id").get_to(o.project_id);
  d.at("customer_id").get_to(o.customer_id);
  d.at("order_type").get_to(o.order_type);
  d.at("status").get_to(o.status);
  d.at("official_amount").get_to(o.official_amount);
  d.at("amount_after_discount").get_to(o.amount_after_discount);
  d.at("product_id").get_to(o.product_id);
  d.at("create_us").get_to(o.create_us);
  if (!d.at("payment_us").is_null()) o.payment_us = d.at("payment_us").get<int64_t>();
  for (const json& l : d.at("lines"))
    o.lines.push_back({l.at("id"), l.at("service_type_code"), l.at("product_id"), l.at("period_type"),
                       l.at("period_num"), l.at("subscription_num")});
  d.at("resource_ids").get_to(o.resource_ids);
  d.at("release_us").get_to(o.release_us);
  // Schema 1 files have no change-model fields.
  o.change_server_id = d.value("change_server_id", "");
  o.change_server_model = d.value("change_server_model", "");
  o.change_phone_model = d.value("change_phone_model", "");
  o.change_due_us = d.value("change_due_us", int64_t{-1});
  o.change_fails = d.value("change_fails", false);
  return o;
}

json to_doc(const Job& j) {
  return {{"project_id", j.project_id}, {"request_id", j.request_id}, {"server_id", j.server_id},
          {"phone_id", j.phone_id},     {"operation", j.operation},   {"argument", j.argument},
          {"status", j.status},         {"begin_us", j.begin_us},     {"end_us", j.end_us},
          {"will_fail", j.will_fail},   {"error_code", j.error_code}, {"error_msg", j.error_msg},
          {"execute_msg", j.execute_msg}};
}

Job job_from(std::string id, int64_t seq, const json& d) {
  Job j;
  j.id = std::move(id);
  j.seq = seq;
  d.at("project_id").get_to(j.project_id);
  d.at("request_id").get_to(j.request_id);
  d.at("server_id").get_to(j.server_id);
  d.at("phone_id").get_to(j.phone_id);
  d.at("operation").get_to(j.operation);
  d.at("argument").get_to(j.argument);
  d.at("status").get_to(j.status);
  d.at("begin_us").get_to(j.begin_us);
  d.at("end_us").get_to(j.end_us);
  d.at("will_fail").get_to(j.will_fail);
  d.at("error_code").get_to(j.error_code);
  d.at("error_msg").get_to(j.error_msg);
  d.at("execute_msg").get_to(j.execute_msg);
  return j;
}

json to_doc(const KeyPair& k) {
  return {{"project_id", k.project_id}, {"name", k.name}, {"public_key", k.public_key},
          {"fingerprint", k.fingerprint}, {"create_us", k.create_us}};
}

KeyPair keypair_from(int64_t seq, const json& d) {
  KeyPair k;
  k.seq = seq;
  d.at("project_id").get_to(k.project_id);
  d.at("name").get_to(k.name);
  d.at("public_key").get_to(k.public_key);
  d.at("fingerprint").get_to(k.fingerprint);
  d.at("create_us").get_to(k.create_us);
  return k;
}

json to_doc(const Phone& p) {
  return {{"project_id", p.project_id}, {"server_id", p.server_id}, {"index", p.index},
          {"name", p.name},             {"status", p.status},       {"status_set", p.status_set},
          {"image_id", p.image_id},     {"traffic_type", p.traffic_type}, {"property", p.property},
          {"update_us", p.update_us}};
}

Phone phone_from(std::string id, int64_t seq, const json& d) {
  Phone p;
  p.id = std::move(id);
  p.seq = seq;
  d.at("project_id").get_to(p.project_id);
  d.at("server_id").get_to(p.server_id);
  d.at("index").get_to(p.index);
  d.at("name").get_to(p.name);
  d.at("status").get_to(p.status);
  d.at("status_set").get_to(p.status_set);
  d.at("image_id").get_to(p.image_id);
  d.at("traffic_type").get_to(p.traffic_type);
  d.at("property").get_to(p.property);
  d.at("update_us").get_to(p.update_us);
  return p;
}

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS emu_meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS emu_servers(id TEXT PRIMARY KEY, seq INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS emu_bandwidths(id TEXT PRIMARY KEY, seq INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS emu_orders(id TEXT PRIMARY KEY, seq INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS emu_jobs(id TEXT PRIMARY KEY, seq INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS emu_keypairs(id TEXT PRIMARY KEY, seq INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS emu_phones(id TEXT PRIMARY KEY, seq INTEGER NOT NULL, doc TEXT NOT NULL);
)sql";

int user_version(sql::Db& db) {
  sql::Stmt st(db, "PRAGMA user_version");
  return st.step() ? static_cast<int>(st.integer(0)) : 0;
}
}  // namespace

struct Store::Statements {
  explicit Statements(sql::Db& db)
      : put_server(db, "INSERT OR REPLACE INTO emu_servers(id, seq, doc) VALUES(?1, ?2, ?3)"),
        put_bandwidth(db, "INSERT OR REPLACE INTO emu_bandwidths(id, seq, doc) VALUES(?1, ?2, ?3)"),
        put_order(db, "INSERT OR REPLACE INTO emu_orders(id, seq, doc) VALUES(?1, ?2, ?3)"),
        erase_server(db, "DELETE FROM emu_servers WHERE id = ?1"),
        erase_bandwidth(db, "DELETE FROM emu_bandwidths WHERE id = ?1"),
        put_meta(db, "INSERT OR REPLACE INTO emu_meta(key, value) VALUES(?1, ?2)"),
        put_job(db, "INSERT OR REPLACE INTO emu_jobs(id, seq, doc) VALUES(?1, ?2, ?3)"),
        put_keypair(db, "INSERT OR REPLACE INTO emu_keypairs(id, seq, doc) VALUES(?1, ?2, ?3)"),
        erase_keypair(db, "DELETE FROM emu_keypairs WHERE id = ?1"),
        put_phone(db, "INSERT OR REPLACE INTO emu_phones(id, seq, doc) VALUES(?1, ?2, ?3)"),
        erase_phone(db, "DELETE FROM emu_phones WHERE id = ?1") {}
  sql::Stmt put_server, put_bandwidth, put_order, erase_server, erase_bandwidth, put_meta, put_job, put_keypair,
      erase_keypair, put_phone, erase_phone;
};

Store::Store(const std::string& path) : db_(path.empty() ? ":memory:" : path) {
  int version = user_version(db_);
  if (version > kSchemaVersion)
    throw std::runtime_error(path + ": emulator data schema version " + std::to_string(version) +
                             " is newer than this emulator's (" + std::to_string(kSchemaVersion) + ")");
  {
    sql::Transaction tx(db_);
    db_.exec(kSchema);
    db_.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
    tx.commit();
  }
  st_ = std::make_unique<Statements>(db_);
}

Store::~Store() = default;

Store::Snapshot Store::load() {
  Snapshot snap;
  {
    sql::Stmt st(db_, "SELECT key, value FROM emu_meta");
    while (st.step()) {
      std::string key = st.text(0);
      if (key == "sim_time_us") snap.sim_time_us = st.integer(1);
      if (key == "next_seq") snap.next_seq = st.integer(1);
    }
  }
  {
    sql::Stmt st(db_, "SELECT id, seq, doc FROM emu_servers ORDER BY seq");
    while (st.step()) snap.servers.push_back(server_from(st.text(0), st.integer(1), json::parse(st.text(2))));
  }
  {
    sql::Stmt st(db_, "SELECT id, seq, doc FROM emu_bandwidths ORDER BY seq");
    while (st.step()) snap.bandwidths.push_back(bandwidth_from(st.text(0), st.integer(1), json::parse(st.text(2))));
  }
  {
    sql::Stmt st(db_, "SELECT id, seq, doc FROM emu_orders ORDER BY seq");
    while (st.step()) snap.orders.push_back(order_from(st.text(0), st.integer(1), json::parse(st.text(2))));
  }
  {
    sql::Stmt st(db_, "SELECT id, seq, doc FROM emu_jobs ORDER BY seq");
    while (st.step()) snap.jobs.push_back(job_from(st.text(0), st.integer(1), json::parse(st.text(2))));
  }
  {
    sql::Stmt st(db_, "SELECT seq, doc FROM emu_keypairs ORDER BY seq");
    while (st.step()) snap.keypairs.push_back(keypair_from(st.integer(0), json::parse(st.text(1))));
  }
  {
    sql::Stmt st(db_, "SELECT id, seq, doc FROM emu_phones ORDER BY seq");
    while (st.step()) snap.phones.push_back(phone_from(st.text(0), st.integer(1), json::parse(st.text(2))));
  }
  return snap;
}

Store::Writer::Writer(Store& store) : store_(store), tx_(store.db_) {}

void Store::Writer::put(const Server& s) {
  store_.st_->put_server.bind(1, s.id).bind(2, s.seq).bind(3, to_doc(s).dump()).exec();
}

void Store::Writer::put(const Bandwidth& b) {
  store_.st_->put_bandwidth.bind(1, b.id).bind(2, b.seq).bind(3, to_doc(b).dump()).exec();
}

void Store::Writer::put(const Order& o) {
  store_.st_->put_order.bind(1, o.id).bind(2, o.seq).bind(3, to_doc(o).dump()).exec();
}

void Store::Writer::erase_server(std::string_view id) { store_.st_->erase_server.bind(1, id).exec(); }
void Store::Writer::erase_bandwidth(std::string_view id) { store_.st_->erase_bandwidth.bind(1, id).exec(); }

void Store::Writer::put(const Job& j) {
  store_.st_->put_job.bind(1, j.id).bind(2, j.seq).bind(3, to_doc(j).dump()).exec();
}

void Store::Writer::put(const KeyPair& k) {
  store_.st_->put_keypair.bind(1, k.project_id + "/" + k.name).bind(2, k.seq).bind(3, to_doc(k).dump()).exec();
}

void Store::Writer::erase_keypair(std::string_view key) { store_.st_->erase_keypair.bind(1, key).exec(); }

void Store::Writer::put(const Phone& p) {
  store_.st_->put_phone.bind(1, p.id).bind(2, p.seq).bind(3, to_doc(p).dump()).exec();
}

void Store::Writer::erase_phone(std::string_view id) { store_.st_->erase_phone.bind(1, id).exec(); }

void Store::Writer::put_clock(int64_t sim_time_us, int64_t next_seq) {
  store_.st_->put_meta.bind(1, "sim_time_us").bind(2, sim_time_us).exec();
  store_.st_->put_meta.bind(1, "next_seq").bind(2, next_seq).exec();
}

void Store::Writer::commit() { tx_.commit(); }

}  // namespace cph::emulator
