// Cluster DNS on a real cluster (ctest label "cluster"): the dns addon on every node of `make
// cluster` answers pods (busybox's nslookup and libc lookups through ping) and nodes (kdig) on
// the node-local cluster DNS address; names outside go to a fake upstream this test runs on the
// lab's bridge (10.213.9.1:5353) — nothing leaves the machine.
#include <fstream>
#include <regex>

#include "cluster_fixture.hpp"
#include "fake_upstream.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
using dns::test::FakeUpstream;

const std::string kData = SKIFF_TEST_CLUSTER_DIR;
const std::string kLan = "10.213.9";
const std::string kCluster = "skd";
const std::string kMaster = kCluster + "-master", kWorker1 = kCluster + "-worker-1", kWorker2 = kCluster + "-worker-2";
const std::string kDnsIp = "10.96.0.10";
constexpr const char* kSleep = "sleep 3600";

class Dns : public test::ClusterFixture {
 protected:
  static inline FakeUpstream* upstream = nullptr;

  static void SetUpTestSuite() {
    start_lab({kData, kLan, "skiff-lan-d", kCluster});
    if (!lab) return;
    std::filesystem::copy_file(SKIFF_TEST_DNS_STORM, data + "/tools/dns-storm", std::filesystem::copy_options::overwrite_existing);
    upstream = new FakeUpstream(kLan + ".1", 5353);  // the nodes' configured upstream (scripts/cluster.sh)
    ok({"create", "namespace", "shop"});
    for (const auto& [pod, node] : {std::pair{"client-1", kWorker1}, std::pair{"client-2", kWorker2}}) {
      pod_in("shop", pod, node, container("main", kSleep));
      pod_in("default", pod, node, container("main", kSleep));
    }
    for (const char* ns : {"shop", "default"})
      for (const char* pod : {"client-1", "client-2"}) running_in(ns, pod);
  }
  static void TearDownTestSuite() {
    delete upstream;
    upstream = nullptr;
    stop_lab();
  }

  static void pod_in(const std::string& ns, const std::string& name, const std::string& node, const std::string& containers,
                     const std::string& spec = "", const std::string& labels = "test: dns") {
    ok({"apply", "-f", "-"},
       "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\n  labels: {" + labels +
           "}\nspec:\n  nodeSelector: {kubernetes.io/hostname: " + node + "}\n  terminationGracePeriodSeconds: 1\n" + spec +
           "  volumes: [{name: tools, hostPath: {path: " + data + "/tools}}]\n  containers:\n" + containers);
  }

  static std::string running_in(const std::string& ns, const std::string& pod) {
    std::string ready;
    test::wait_until([&] {
      ready = kubectl({"-n", ns, "get", "pod", pod, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"}).out;
      return ready == "True";
    }, 90s, 200ms);
    EXPECT_EQ(ready, "True") << ok({"-n", ns, "describe", "pod", pod});
    return ok({"-n", ns, "get", "pod", pod, "-o", "jsonpath={.status.podIP}"});
  }

  static std::string exec_in(const std::string& ns, const std::string& pod, const std::string& command) {
    return kubectl({"-n", ns, "exec", pod, "--", "sh", "-c", command}).both();
  }

  // kdig on a node against the node-local cluster DNS address.
  static std::string dig(const std::string& node, const std::vector<std::string>& args) {
    std::vector<std::string> command{"kdig", "@" + kDnsIp, "+time=2", "+retry=0"};
    command.insert(command.end(), args.begin(), args.end());
    return in_netns(node, command);
  }
  static std::string status_of(const std::string& kdig_output) {
    std::smatch match;
    return std::regex_search(kdig_output, match, std::regex("status: ([A-Z]+)")) ? match[1].str() : "(none)";
  }

  // A libc lookup through the pod's resolv.conf (search list, ndots): ping prints the address.
  static std::string libc_lookup(const std::string& ns, const std::string& pod, const std::string& name) {
    std::string out = exec_in(ns, pod, "ping -c1 -W1 " + name + " 2>&1 | head -1");
    std::smatch match;
    return std::regex_search(out, match, std::regex("\\(([0-9.]+)\\)")) ? match[1].str() : "(not resolved: " + out + ")";
  }

  static std::string service(const std::string& ns, const std::string& yaml_spec, const std::string& name) {
    ok({"apply", "-f", "-"}, "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + ", namespace: " + ns +
                                 "}\nspec:\n" + yaml_spec);
    return ok({"-n", ns, "get", "service", name, "-o", "jsonpath={.spec.clusterIP}"});
  }

  static std::string metrics(const std::string& node) { return plugin_metrics(node, "dns"); }
  static double metric(const std::string& text, const std::string& series) {
    auto at = text.find("\n" + series + " ");  // a sample line, not the HELP line
    return at == std::string::npos ? 0 : std::stod(text.substr(at + series.size() + 2));
  }

  // Ready endpoints' addresses of a Service, space-separated, once there are `count`.
  static std::string wait_for_endpoints(const std::string& ns, const std::string& service, std::size_t count) {
    std::string ips;
    test::wait_until([&] {
      ips = kubectl({"-n", ns, "get", "endpointslices", "-l", "kubernetes.io/service-name=" + service,
                                           "-o", "jsonpath={range .items[*].endpoints[*]}{.addresses[0]} {end}"})
                .out;
      return static_cast<std::size_t>(std::count(ips.begin(), ips.end(), ' ')) == count;
    }, 60s, 100ms);
    return ips;
  }
};

TEST_F(Dns, ServicesPodsAndReverseNamesResolveFromAPodOnEachNode) {
  std::string ip = service("shop", "  ports:\n  - {name: http, port: 80, protocol: TCP}\n  - {name: dns, port: 53, protocol: UDP}\n"
                                   "  selector: {app: none}\n", "web");
  std::string pod_ip = ok({"-n", "shop", "get", "pod", "client-1", "-o", "jsonpath={.status.podIP}"});
  std::string dashed = std::regex_replace(pod_ip, std::regex("\\."), "-");
  for (const char* pod : {"client-1", "client-2"}) {
    SCOPED_TRACE(pod);
    EXPECT_TRUE(test::wait_until([&] { return libc_lookup("shop", pod, "web") == ip; }, 10s)) << libc_lookup("shop", pod, "web");
    EXPECT_EQ(libc_lookup("default", pod, "web.shop"), ip);
    EXPECT_EQ(libc_lookup("default", pod, "web.shop.svc"), ip);
    EXPECT_EQ(libc_lookup("default", pod, "kubernetes"), "10.96.0.1");
    EXPECT_EQ(libc_lookup("shop", pod, "kubernetes.default"), "10.96.0.1");
    std::string fqdn = exec_in("default", pod, "nslookup web.shop.svc.cluster.local");
    EXPECT_NE(fqdn.find("Address: " + ip), std::string::npos) << fqdn;
    std::string srv = exec_in("default", pod, "nslookup -type=srv _http._tcp.web.shop.svc.cluster.local");
    EXPECT_NE(srv.find("service = 0 100 80 web.shop.svc.cluster.local"), std::string::npos) << srv;
    std::string udp_srv = exec_in("default", pod, "nslookup -type=srv _dns._udp.web.shop.svc.cluster.local");
    EXPECT_NE(udp_srv.find("service = 0 100 53 web.shop.svc.cluster.local"), std::string::npos) << udp_srv;
    std::string ptr = exec_in("default", pod, "nslookup " + ip);
    EXPECT_NE(ptr.find("name = web.shop.svc.cluster.local"), std::string::npos) << ptr;
    std::string pod_record = exec_in("default", pod, "nslookup " + dashed + ".shop.pod.cluster.local");
    EXPECT_NE(pod_record.find("Address: " + pod_ip), std::string::npos) << pod_record;
  }
  for (const auto& node : {kMaster, kWorker1, kWorker2})
    EXPECT_EQ(dig(node, {"+short", "web.shop.svc.cluster.local"}), ip + "\n") << node;
}

// RFC 2308 and the zone's apex, asked with kdig on the master.
TEST_F(Dns, TheZoneAnswersNxdomainNodataSoaAndNs) {
  service("shop", "  ports: [{name: http, port: 80}]\n  selector: {app: none}\n", "web");
  std::string soa = dig(kMaster, {"cluster.local", "SOA"});
  EXPECT_EQ(status_of(soa), "NOERROR") << soa;
  EXPECT_NE(soa.find("ns.dns.cluster.local. hostmaster.cluster.local."), std::string::npos) << soa;
  EXPECT_NE(dig(kMaster, {"+short", "cluster.local", "NS"}).find("ns.dns.cluster.local."), std::string::npos);
  EXPECT_EQ(dig(kMaster, {"+short", "ns.dns.cluster.local"}), kDnsIp + "\n");
  std::string nx = dig(kMaster, {"nothere.shop.svc.cluster.local", "A"});
  EXPECT_EQ(status_of(nx), "NXDOMAIN") << nx;
  EXPECT_NE(nx.find("AUTHORITY SECTION"), std::string::npos) << nx;
  EXPECT_NE(nx.find("Flags: qr aa"), std::string::npos) << nx;
  std::string nodata = dig(kMaster, {"web.shop.svc.cluster.local", "AAAA"});
  EXPECT_EQ(status_of(nodata), "NOERROR") << nodata;
  EXPECT_NE(nodata.find("ANSWER: 0"), std::string::npos) << nodata;
  EXPECT_NE(nodata.find("SOA"), std::string::npos) << nodata;
  std::string empty_nonterminal = dig(kMaster, {"shop.svc.cluster.local", "A"});
  EXPECT_EQ(status_of(empty_nonterminal), "NOERROR") << empty_nonterminal;
  EXPECT_NE(dig(kMaster, {"+short", "dns-version.cluster.local", "TXT"}).find("1.0.1"), std::string::npos);
}

// A headless Service answers its ready endpoints; pods with hostname + subdomain (as a
// StatefulSet's) get <hostname>.<service> and their PTR points there.
TEST_F(Dns, HeadlessServiceAnswersEveryPodAndTheirHostnames) {
  service("shop", "  clusterIP: None\n  selector: {app: db}\n  ports: [{name: pg, port: 5432}]\n", "db");
  std::map<std::string, std::string> ips;
  for (const auto& [name, node] : {std::pair{"db-0", kWorker1}, std::pair{"db-1", kWorker2}}) {
    pod_in("shop", name, node, container("main", kSleep), "  hostname: " + std::string(name) + "\n  subdomain: db\n",
           "test: dns, app: db");
  }
  for (const char* name : {"db-0", "db-1"}) ips[name] = running_in("shop", name);
  wait_for_endpoints("shop", "db", 2);
  std::string all;
  EXPECT_TRUE(test::wait_until([&] {
    all = dig(kWorker1, {"+short", "db.shop.svc.cluster.local"});
    return all.find(ips["db-0"]) != std::string::npos && all.find(ips["db-1"]) != std::string::npos;
  }, 10s)) << all;
  for (const char* name : {"db-0", "db-1"}) {
    std::string fqdn = std::string(name) + ".db.shop.svc.cluster.local";
    EXPECT_EQ(libc_lookup("default", "client-2", fqdn), ips[name]) << fqdn;
    EXPECT_EQ(libc_lookup("shop", "client-1", std::string(name) + ".db"), ips[name]);
    EXPECT_EQ(dig(kWorker2, {"+short", "-x", ips[name]}), fqdn + ".\n");
  }
  std::string srv = dig(kWorker1, {"+short", "_pg._tcp.db.shop.svc.cluster.local", "SRV"});
  EXPECT_NE(srv.find("5432 db-0.db.shop.svc.cluster.local."), std::string::npos) << srv;
  EXPECT_NE(srv.find("5432 db-1.db.shop.svc.cluster.local."), std::string::npos) << srv;
}

TEST_F(Dns, NamesOutsideGoToTheUpstreamAndExternalNameIsACname) {
  upstream->set("api.example.test", FakeUpstream::Behaviour::Answer, {{"api.example.test", "192.0.2.10", 60}});
  upstream->set("gone.example.test", FakeUpstream::Behaviour::Nxdomain);
  upstream->set("slow.example.test", FakeUpstream::Behaviour::Silent);
  int asked = upstream->udp_queries();
  std::string forwarded = exec_in("default", "client-1", "nslookup api.example.test");
  EXPECT_NE(forwarded.find("Address: 192.0.2.10"), std::string::npos) << forwarded;
  EXPECT_GT(upstream->udp_queries(), asked);
  EXPECT_EQ(status_of(dig(kWorker2, {"gone.example.test"})), "NXDOMAIN");
  EXPECT_EQ(status_of(dig(kWorker2, {"+time=5", "slow.example.test"})), "SERVFAIL") << "an upstream that never answers";

  service("shop", "  type: ExternalName\n  externalName: api.example.test\n", "payments");
  std::string cname;
  EXPECT_TRUE(test::wait_until([&] {
    cname = dig(kWorker1, {"payments.shop.svc.cluster.local", "A"});
    return cname.find("CNAME") != std::string::npos;
  }, 10s)) << cname;
  EXPECT_TRUE(std::regex_search(cname, std::regex(R"(payments\.shop\.svc\.cluster\.local\.\s+30\s+IN\s+CNAME\s+api\.example\.test\.)")))
      << cname;
  EXPECT_NE(cname.find("api.example.test."), std::string::npos) << cname;
  EXPECT_NE(cname.find("192.0.2.10"), std::string::npos) << cname;
  EXPECT_EQ(libc_lookup("shop", "client-2", "payments"), "192.0.2.10");
}

// ndots:5 makes `api.example.test` from a pod in shop start with
// api.example.test.shop.svc.cluster.local; the addon answers that first query with the final
// answer (CNAME + A), and counts it.
TEST_F(Dns, SearchPathShortCircuitAnswersThePodsFirstQuery) {
  upstream->set("short.example.test", FakeUpstream::Behaviour::Answer, {{"short.example.test", "192.0.2.20", 60}});
  double before = metric(metrics(kWorker1), "skiff_dns_short_circuits_total");
  std::string first = dig(kWorker1, {"short.example.test.shop.svc.cluster.local", "A"});
  EXPECT_EQ(status_of(first), "NXDOMAIN") << "the node's own address is no pod: no short circuit\n" << first;
  EXPECT_EQ(libc_lookup("shop", "client-1", "short.example.test"), "192.0.2.20");
  double after = metric(metrics(kWorker1), "skiff_dns_short_circuits_total");
  EXPECT_GE(after - before, 1) << "no short-circuited answer counted";
}

// Created → answered within a moment (the time is printed; bench/README.md has the figure),
// deleted → NXDOMAIN.
TEST_F(Dns, ACreatedServiceResolvesAtOnceAndADeletedOneIsNxdomain) {
  auto applied = std::chrono::steady_clock::now();
  std::string ip = service("shop", "  ports: [{port: 80}]\n  selector: {app: none}\n", "fresh");
  auto created = std::chrono::steady_clock::now();
  std::string answer;
  EXPECT_TRUE(test::wait_until([&] { return (answer = dig(kWorker2, {"+short", "fresh.shop.svc.cluster.local"})) == ip + "\n"; },
                               10s, 5ms))
      << answer;
  auto resolved = std::chrono::steady_clock::now();
  std::cout << "[ figure ] kubectl apply returned after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(created - applied).count()
            << " ms; resolvable on worker-2 " << std::chrono::duration_cast<std::chrono::milliseconds>(resolved - created).count()
            << " ms after that\n";
  ok({"-n", "shop", "delete", "service", "fresh", "--wait=false"});
  std::string gone;
  EXPECT_TRUE(test::wait_until([&] { return status_of(gone = dig(kWorker2, {"fresh.shop.svc.cluster.local"})) == "NXDOMAIN"; },
                               10s, 5ms))
      << gone;
}

// 60 endpoints make an answer over 512 bytes: UDP without EDNS gets TC, TCP gets all of it.
TEST_F(Dns, ALargeAnswerIsTruncatedOverUdpAndWholeOverTcp) {
  service("shop", "  clusterIP: None\n  ports: [{name: x, port: 80}]\n", "big");
  std::string endpoints;
  for (int i = 1; i <= 60; ++i)
    endpoints += "- addresses: [\"10.244.250." + std::to_string(i) + "\"]\n  conditions: {ready: true}\n";
  ok({"apply", "-f", "-"}, "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: big-1\n  namespace: shop\n"
                           "  labels: {kubernetes.io/service-name: big}\naddressType: IPv4\nports: [{name: x, port: 80}]\n"
                           "endpoints:\n" + endpoints);
  std::string tcp;
  EXPECT_TRUE(test::wait_until([&] {
    tcp = dig(kWorker1, {"+tcp", "+short", "big.shop.svc.cluster.local"});
    return std::count(tcp.begin(), tcp.end(), '\n') == 60;
  }, 10s)) << tcp;
  std::string udp = dig(kWorker1, {"+noedns", "+notcp", "+ignore", "big.shop.svc.cluster.local"});
  EXPECT_NE(udp.find(" tc"), std::string::npos) << udp;
  std::string retried = dig(kWorker1, {"+noedns", "+short", "big.shop.svc.cluster.local"});  // kdig retries over TCP
  EXPECT_NE(retried.find("retrying over TCP"), std::string::npos) << retried;
  auto addresses = [](const std::string& text) {
    std::size_t n = 0;
    for (auto at = text.find("\n10.244.250."); at != std::string::npos; at = text.find("\n10.244.250.", at + 1)) ++n;
    return n + (text.starts_with("10.244.250.") ? 1 : 0);
  };
  EXPECT_EQ(addresses(retried), 60u) << retried;
}

// Garbage, cut-short messages and compression loops from a node: FORMERR or silence, and the
// server answers the next good query.
TEST_F(Dns, MalformedPacketsNeverStopTheServer) {
  const std::string script = R"PY(
import os, random, socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
good = struct.pack(">HHHHHH", 7, 0x0100, 1, 0, 0, 0) + b"\x03web\x04shop\x03svc\x07cluster\x05local\x00\x00\x01\x00\x01"
loop = struct.pack(">HHHHHH", 8, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c\x00\x01\x00\x01"
packets = [b"", b"\x00", good[:7], good[:20], loop, good[:12] + b"\x3f" + b"a" * 10]
random.seed(13)
for i in range(3000):
    p = bytearray(good)
    for _ in range(random.randint(1, 6)): p[random.randrange(len(p))] = random.randrange(256)
    packets.append(bytes(p[:random.randint(0, len(p))]))
    packets.append(os.urandom(random.randint(1, 300)))
s.setblocking(False)
answers = {}
def drain():
    while True:
        try: r = s.recv(4096)
        except BlockingIOError: return
        answers[r[3] & 15] = answers.get(r[3] & 15, 0) + 1
for i, p in enumerate(packets):
    s.sendto(p, ("10.96.0.10", 53))
    if i % 50 == 0: drain()
import time; time.sleep(0.3); drain()
print("sent", len(packets), "rcodes", sorted(answers.items()))
)PY";
  std::string out = in_netns(kWorker1, {"python3", "-c", script});
  std::cout << "[ figure ] " << out;
  EXPECT_NE(out.find("sent 6006"), std::string::npos) << out;
  EXPECT_EQ(status_of(dig(kWorker1, {"web.shop.svc.cluster.local"})), "NOERROR") << "the server stopped answering";
  std::string listening = in_netns(kWorker1, {"ss", "-lun"});
  EXPECT_NE(listening.find(kDnsIp + ":53"), std::string::npos) << listening;
}

// 100,000 lookups as 50,000 parallel A+AAAA pairs from one pod, each pair from one socket as
// glibc sends them: all answered, none waited for a resend — and no conntrack entry was made.
TEST_F(Dns, ParallelLookupsFromAPodNeverStall) {
  std::string out = exec_in("default", "client-1", "/tools/dns-storm " + kDnsIp + " kubernetes.default.svc.cluster.local 50000 32");
  std::cout << "[ figure ] " << out;
  EXPECT_NE(out.find("answered=50000 timeouts=0 retries=0"), std::string::npos) << out;
  std::string tracked = in_netns(kWorker1, {"conntrack", "-L", "-p", "udp", "--dport", "53", "-d", kDnsIp});
  EXPECT_EQ(tracked.find("dport=53"), std::string::npos) << "DNS to the node-local address was tracked:\n" << tracked;
}

TEST_F(Dns, MetricsCountQueriesByTypeAndRcodeAndForwarding) {
  dig(kWorker2, {"web.shop.svc.cluster.local", "A"});
  dig(kWorker2, {"nothere.shop.svc.cluster.local", "AAAA"});
  upstream->set("m.example.test", FakeUpstream::Behaviour::Answer, {{"m.example.test", "192.0.2.30", 60}});
  dig(kWorker2, {"m.example.test", "A"});
  dig(kWorker2, {"m.example.test", "A"});
  std::string text = metrics(kWorker2);
  EXPECT_GE(metric(text, "skiff_dns_requests_total{type=\"A\"}"), 3) << text;
  EXPECT_GE(metric(text, "skiff_dns_requests_total{type=\"AAAA\"}"), 1) << text;
  EXPECT_GE(metric(text, "skiff_dns_responses_total{rcode=\"NXDOMAIN\"}"), 1) << text;
  EXPECT_GE(metric(text, "skiff_dns_cache_hits_total"), 1) << text;
  EXPECT_GE(metric(text, "skiff_dns_forward_duration_seconds_count"), 1) << text;
}

// Last: worker-2 runs without the addon (its profile without dns, restarted: the kernel cleans
// up the removed plugin). Its pods' queries to 10.96.0.10 then reach the other nodes' addons
// through the proxy (kube-dns's per-node EndpointSlices); then the addon comes back.
TEST_F(Dns, ANodeWithoutTheAddonAsksTheOthersThroughTheProxy) {
  std::string profile_path = kData + "/" + kWorker2 + "/profile.yaml";
  std::string profile;
  {
    std::ifstream in(profile_path);
    profile.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto at = profile.find("  - name: dns\n");
  ASSERT_NE(at, std::string::npos) << profile;
  std::ofstream(profile_path) << profile.substr(0, at);
  auto restarted = lab->script({"restart", kWorker2});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.both();
  EXPECT_EQ(in_netns(kWorker2, {"ip", "-4", "addr", "show", "dev", "lo"}).find(kDnsIp), std::string::npos);
  EXPECT_NE(in_netns(kWorker2, {"nft", "list", "tables"}).find("skiff-proxy"), std::string::npos);
  EXPECT_EQ(in_netns(kWorker2, {"nft", "list", "tables"}).find("skiff-dns"), std::string::npos);
  std::string slices;
  EXPECT_TRUE(test::wait_until([&] {
    slices = ok({"-n", "kube-system", "get", "endpointslices", "-o", "name"});
    return slices.find("kube-dns-" + kWorker2) == std::string::npos;
  }, 10s)) << slices;
  std::string ip = ok({"-n", "shop", "get", "service", "web", "-o", "jsonpath={.spec.clusterIP}"});
  std::string answer;
  EXPECT_TRUE(test::wait_until([&] { return (answer = libc_lookup("shop", "client-2", "web")) == ip; }, 20s)) << answer;

  std::ofstream(profile_path) << profile;
  restarted = lab->script({"restart", kWorker2});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.both();
  EXPECT_TRUE(test::wait_until([&] { return dig(kWorker2, {"+short", "web.shop.svc.cluster.local"}) == ip + "\n"; }, 20s));
}

}  // namespace
