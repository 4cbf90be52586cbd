// Checks the rendered Kubernetes overlays (`kubectl kustomize` output) offline:
//  1. every object against the Kubernetes API's JSON schemas (kubernetes-models: precompiled ajv
//     validators of the API's OpenAPI definitions, installed from npm);
//  2. what the schemas cannot see: that the objects agree with each other and with the application.
// Every fact about the application is read from the project's files (ParleyConfig.java,
// application.properties, the Quarkus extensions' configuration models, README.md, docs, pom.xml),
// so the check follows the application instead of a list of its own.
//
// usage: node check.mjs <repo root> <name>=<rendered.yaml>...
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { homedir } from "node:os";
import { inflateRawSync } from "node:zlib";
import { parseAllDocuments } from "yaml";

const [root, ...overlayArgs] = process.argv.slice(2);
const read = (path) => readFileSync(join(root, path), "utf8");
const problems = [];
const fail = (overlay, object, message) => problems.push(`${overlay}: ${object}: ${message}`);
const envName = (key) => key.replace(/[^A-Za-z0-9]/g, "_").toUpperCase();
const idOf = (o) => `${o.kind}/${o.metadata?.name}`;

// ---------------------------------------------------------------------------------------------------
// What the application reads

/** parley.* keys with their defaults, from the @ConfigMapping interface. */
function parleyConfigKeys() {
  const source = read("src/main/java/dev/parley/config/ParleyConfig.java").replace(/\/\*[\s\S]*?\*\//g, "");
  const interfaces = new Map();
  const header = /interface\s+(\w+)[^{]*\{/g;
  for (let m; (m = header.exec(source)); ) {
    let depth = 1, i = header.lastIndex, body = "";
    for (; depth > 0 && i < source.length; i++) {
      const c = source[i];
      if (c === "{") depth++;
      if (c === "}") depth--;
      // only the interface's own level: nested interfaces are read on their own
      if (depth === 1 && c !== "}") body += c;
      else if (depth === 1) body += " ";
    }
    const methods = [];
    const method = /(@WithDefault\("([^"]*)"\)\s*)?([\w<>, ]+?)\s+(\w+)\(\);/g;
    for (let mm; (mm = method.exec(body)); ) {
      methods.push({ type: mm[3].trim().replace(/^Optional<(.*)>$/, "$1"), name: mm[4], default: mm[2] });
    }
    interfaces.set(m[1], methods);
  }
  const keys = new Map();
  const kebab = (s) => s.replace(/([A-Z])/g, "-$1").toLowerCase();
  const walk = (iface, prefix) => {
    for (const m of interfaces.get(iface) ?? []) {
      const key = `${prefix}.${kebab(m.name)}`;
      if (interfaces.has(m.type)) walk(m.type, key);
      else keys.set(key, m.default);
    }
  };
  walk("ParleyConfig", "parley");
  if (keys.size === 0) throw new Error("no keys read from ParleyConfig.java");
  return keys;
}

/** application.properties without profiles: key -> value. */
function applicationProperties() {
  const props = new Map();
  for (const line of read("src/main/resources/application.properties").split("\n")) {
    const m = /^\s*([^#%\s][^=\s]*)\s*=\s*(.*)$/.exec(line);
    if (m) props.set(m[1], m[2].trim());
  }
  return props;
}

/** The entries of one file inside a zip (a jar), or null. */
function zipEntry(path, name) {
  const zip = readFileSync(path);
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) return null;
  let p = zip.readUInt32LE(eocd + 16);
  const count = zip.readUInt16LE(eocd + 10);
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(p + 10), size = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28), extra = zip.readUInt16LE(p + 30), comment = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    if (zip.toString("utf8", p + 46, p + 46 + nameLength) === name) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      return (method === 0 ? data : inflateRawSync(data)).toString("utf8");
    }
    p += 46 + nameLength + extra + comment;
  }
  return null;
}

/**
 * Every Quarkus configuration property of the extensions the application is built with, from the
 * configuration models their jars carry (runtime jars, and their -deployment jars for build-time
 * properties). The runtime jars are those of the packaged application (target/quarkus-app), or, before
 * a build, every Quarkus jar of the project's version in the local Maven repository.
 */
function quarkusProperties() {
  const version = /<quarkus\.platform\.version>([^<]+)</.exec(read("pom.xml"))[1];
  const repo = join(process.env.MAVEN_REPO_LOCAL ?? join(homedir(), ".m2", "repository"), "io", "quarkus");
  let artifacts;
  const lib = join(root, "target", "quarkus-app", "lib", "main");
  if (existsSync(lib)) {
    artifacts = readdirSync(lib)
      .map((f) => new RegExp(`^io\\.quarkus\\.(quarkus-.+)-${version.replace(/\./g, "\\.")}\\.jar$`).exec(f)?.[1])
      .filter(Boolean);
  } else if (existsSync(repo)) {
    artifacts = readdirSync(repo).filter((a) => !a.endsWith("-deployment") && existsSync(join(repo, a, version, `${a}-${version}.jar`)));
  } else {
    throw new Error(`no Quarkus jars: build once (./mvnw package -DskipTests) so that target/quarkus-app or ${repo} exists`);
  }
  const jars = artifacts.flatMap((a) => [`${a}`, `${a}-deployment`])
    .map((a) => (a.endsWith("-deployment") || !existsSync(lib) ? join(repo, a, version, `${a}-${version}.jar`) : join(lib, `io.quarkus.${a}-${version}.jar`)))
    .filter(existsSync);
  const properties = [];
  for (const jar of jars) {
    const model = zipEntry(jar, "META-INF/quarkus-config-doc/quarkus-config-model.json");
    if (!model) continue;
    const walk = (o) => {
      if (Array.isArray(o)) return o.forEach(walk);
      if (!o || typeof o !== "object") return;
      if (o.path?.environmentVariable) properties.push({ property: o.path.property, default: o.defaultValue, phase: o.phase });
      Object.values(o).forEach(walk);
    };
    walk(JSON.parse(model));
  }
  if (properties.length < 100) throw new Error(`only ${properties.length} Quarkus properties read from ${jars.length} jars`);
  return properties.map((p) => {
    // "quoted" segments are names (a named datasource, a map key): any name matches them
    const pattern = p.property.split(/("[^"]*")/).map((part) => (part.startsWith('"') ? "[A-Z0-9_]+" : envName(part))).join("");
    return { ...p, env: new RegExp(`^${pattern}$`) };
  });
}

const parleyKeys = parleyConfigKeys();
const props = applicationProperties();
const quarkus = quarkusProperties();
const quarkusDefault = (key) => quarkus.find((p) => p.property === key)?.default;
const docs = read("README.md") + read("docs/operations.md");
// Variables the images' own start scripts read (JAVA_OPTS and the like), from the Dockerfiles.
const imageVariables = new Set(readdirSync(join(root, "src/main/docker"))
  .flatMap((f) => [...read(`src/main/docker/${f}`).matchAll(/\$\{?([A-Z][A-Z0-9_]+)/g)].map((m) => m[1])));

const envForKey = new Map();
for (const [key] of parleyKeys) envForKey.set(envName(key), key);
for (const [key] of props) if (key.startsWith("parley.")) envForKey.set(envName(key), key);

/** Why an environment variable of the Parley container is wrong, or null. */
function envProblem(name) {
  if (name.startsWith("PARLEY_")) {
    if (!envForKey.has(name)) return `${name} is not a Parley setting (no key of ParleyConfig or application.properties has this name)`;
  } else if (name.startsWith("QUARKUS_")) {
    const known = quarkus.filter((p) => p.env.test(name));
    if (known.length === 0) {
      if (![...props.keys()].some((k) => envName(k) === name)) return `${name} is not a configuration property of any Quarkus extension the application uses`;
    } else if (known.every((p) => p.phase === "BUILD_TIME" || p.phase === "BUILD_AND_RUN_TIME_FIXED")) {
      return `${name} (${known[0].property}) is fixed when the application is built: setting it in the pod has no effect`;
    }
  } else if (!imageVariables.has(name)) {
    return `${name} is read neither by Parley's configuration nor by the image`;
  }
  if ((name.startsWith("PARLEY_") || name.startsWith("QUARKUS_")) && !docs.includes("`" + name + "`") && !docs.includes("`" + name + "=")) {
    return `${name} is not documented (README.md's configuration table or docs/operations.md)`;
  }
  return null;
}

/** A property's value as the pod will see it: its variable in the pod, else application.properties, else the default. */
function resolve(key, env, depth = 0) {
  let value = env.get(envName(key)) ?? props.get(key) ?? parleyKeys.get(key) ?? quarkusDefault(key);
  if (value === undefined || depth > 5) return value;
  return value.replace(/\$\{([^}:]+)(?::([^}]*))?\}/g, (_, k, d) => resolve(k, env, depth + 1) ?? d ?? "");
}

// ---------------------------------------------------------------------------------------------------
// The checks

const bytes = (size) => {
  const m = /^(\d+)([kmg]?)$/i.exec(String(size).trim());
  return m ? Number(m[1]) * { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase()] : NaN;
};
const matches = (selector, labels) => selector && Object.keys(selector).length > 0
  && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

async function schemaCheck(overlay, objects) {
  for (const o of objects) {
    const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : [null, o.apiVersion];
    // the Prometheus Operator's kinds (PodMonitor, PrometheusRule) come with their own model package
    const module = group === "monitoring.coreos.com"
      ? `@kubernetes-models/prometheus-operator/${group}/${version}/${o.kind}`
      : `kubernetes-models/${group ? `${group}/` : ""}${version}/${o.kind}`;
    let Model;
    try {
      Model = (await import(module))[o.kind];
    } catch {
      fail(overlay, idOf(o), `no schema for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    // Secret data as kustomize writes it: base64 wrapped over lines, which the API server's decoder
    // accepts and the schema's "byte" format does not.
    const data = o.kind === "Secret" && o.data
      ? Object.fromEntries(Object.entries(o.data).map(([k, v]) => [k, String(v).replace(/\s/g, "")]))
      : undefined;
    try {
      new Model(data ? { ...o, data } : o).validate();
    } catch (e) {
      fail(overlay, idOf(o), `schema: ${(e.errors ?? [e]).map((x) => x.message && x.instancePath !== undefined ? `${x.instancePath} ${x.message}` : x.message).join("; ")}`);
    }
  }
}

function crossCheck(overlay, objects, external) {
  const byKind = (kind) => objects.filter((o) => o.kind === kind);
  const workloads = objects.filter((o) => ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind));
  const configMaps = new Map(byKind("ConfigMap").map((o) => [o.metadata.name, o]));
  const secrets = new Map(byKind("Secret").map((o) => [o.metadata.name, o]));
  const used = new Set();

  // Referenced Secrets and ConfigMaps (and their keys) exist here, or are documented external ones.
  const requireSecret = (where, name, key) => {
    const s = secrets.get(name);
    if (s) {
      if (key && key !== "*" && !(key in (s.data ?? {})) && !(key in (s.stringData ?? {}))) fail(overlay, where, `Secret ${name} has no key ${key}`);
      return;
    }
    const documented = external?.get(name);
    if (!documented) return fail(overlay, where, `Secret ${name} is neither in this overlay nor a documented external Secret`);
    used.add(name);
    if (key === "*") documented.forEach((k) => used.add(`${name}/${k}`));
    else if (key && !documented.has(key)) fail(overlay, where, `external Secret ${name} is documented without key ${key}`);
    else if (key) used.add(`${name}/${key}`);
  };
  const requireConfigMap = (where, name, key) => {
    const c = configMaps.get(name);
    if (!c) return fail(overlay, where, `ConfigMap ${name} is not in this overlay`);
    if (key && !(key in (c.data ?? {})) && !(key in (c.binaryData ?? {}))) fail(overlay, where, `ConfigMap ${name} has no key ${key}`);
  };
  for (const w of workloads) {
    const pod = w.spec.template.spec;
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
      const where = `${idOf(w)} container ${c.name}`;
      for (const e of c.env ?? []) {
        const s = e.valueFrom?.secretKeyRef, m = e.valueFrom?.configMapKeyRef;
        if (s) requireSecret(where, s.name, s.key);
        if (m) requireConfigMap(where, m.name, m.key);
      }
      for (const e of c.envFrom ?? []) {
        if (e.secretRef) requireSecret(where, e.secretRef.name);
        if (e.configMapRef) requireConfigMap(where, e.configMapRef.name);
      }
    }
    for (const v of pod.volumes ?? []) {
      // a volume without items carries every key of its Secret
      if (v.secret) (v.secret.items ?? [{ key: "*" }]).forEach((i) => requireSecret(`${idOf(w)} volume ${v.name}`, v.secret.secretName, i.key));
      if (v.configMap) (v.configMap.items ?? [{}]).forEach((i) => requireConfigMap(`${idOf(w)} volume ${v.name}`, v.configMap.name, i.key));
    }
  }
  for (const i of byKind("Ingress")) for (const t of i.spec.tls ?? []) requireSecret(idOf(i), t.secretName);
  for (const [name, keys] of external ?? []) {
    if (!used.has(name)) fail(overlay, "docs/operations.md", `documented external Secret ${name} is not used by the overlay`);
    // an Ingress's certificate Secret is named, not read key by key
    const tls = byKind("Ingress").some((i) => (i.spec.tls ?? []).some((t) => t.secretName === name));
    for (const key of keys) if (used.has(name) && !tls && !used.has(`${name}/${key}`)) {
      fail(overlay, "docs/operations.md", `documented key ${key} of Secret ${name} is not used by the overlay`);
    }
  }

  // Every Service selects pods, on ports those pods have.
  for (const s of byKind("Service")) {
    const targets = workloads.filter((w) => matches(s.spec.selector, w.spec.template.metadata.labels));
    if (targets.length === 0) {
      fail(overlay, idOf(s), `selector ${JSON.stringify(s.spec.selector)} matches the pod labels of no Deployment or StatefulSet`);
      continue;
    }
    for (const p of s.spec.ports) {
      const target = p.targetPort ?? p.port;
      for (const w of targets) {
        const ports = w.spec.template.spec.containers.flatMap((c) => c.ports ?? []);
        if (!ports.some((cp) => cp.name === target || cp.containerPort === target)) fail(overlay, idOf(s), `targetPort ${target} is not a port of ${idOf(w)}`);
      }
    }
  }

  // Probes on ports the container declares.
  for (const w of workloads) {
    for (const c of w.spec.template.spec.containers) {
      for (const kind of ["startupProbe", "livenessProbe", "readinessProbe"]) {
        const port = c[kind]?.httpGet?.port ?? c[kind]?.tcpSocket?.port;
        if (port !== undefined && !(c.ports ?? []).some((p) => p.name === port || p.containerPort === port)) {
          fail(overlay, `${idOf(w)} container ${c.name}`, `${kind} port ${port} is not a port of the container`);
        }
      }
    }
  }

  // Parley's own pods.
  const parley = byKind("Deployment").find((d) => d.spec.template.metadata.labels?.["app.kubernetes.io/name"] === "parley");
  if (!parley) return fail(overlay, "Deployment", "no Deployment with pods labelled app.kubernetes.io/name=parley");
  const where = idOf(parley);
  const pod = parley.spec.template;
  const container = pod.spec.containers.find((c) => c.name === "parley");
  if (!container) return fail(overlay, where, "no container named parley");
  if (parley.spec.replicas !== undefined) fail(overlay, where, "has replicas: the HorizontalPodAutoscaler owns the count");
  if (!byKind("HorizontalPodAutoscaler").some((h) => h.spec.scaleTargetRef.kind === "Deployment" && h.spec.scaleTargetRef.name === parley.metadata.name)) {
    fail(overlay, where, "no HorizontalPodAutoscaler scales it");
  }

  // Its environment: each variable a setting the application reads, and documented.
  const env = new Map();
  for (const e of container.envFrom ?? []) {
    const source = e.configMapRef ? configMaps.get(e.configMapRef.name)?.data : secrets.get(e.secretRef?.name)?.data;
    for (const k of Object.keys(source ?? {})) env.set(k, e.configMapRef ? source[k] : "(secret)");
  }
  for (const e of container.env ?? []) env.set(e.name, e.value ?? "(reference)");
  for (const name of env.keys()) {
    const problem = envProblem(name);
    if (problem) fail(overlay, `${where} environment`, problem);
  }

  // Its ports are the ones the application listens on.
  const portNamed = (name) => (container.ports ?? []).find((p) => p.name === name);
  const http = portNamed("http"), management = portNamed("management");
  if (!http) fail(overlay, where, "no container port named http");
  if (!management) fail(overlay, where, "no container port named management");
  const httpPort = Number(resolve("quarkus.http.port", env));
  if (http && http.containerPort !== httpPort) fail(overlay, where, `port http is ${http.containerPort}, the application listens on ${httpPort} (quarkus.http.port)`);
  const managementEnabled = resolve("quarkus.management.enabled", env) === "true";
  const managementPort = Number(resolve("quarkus.management.port", env));
  if (management && !managementEnabled) {
    fail(overlay, where, "port management is declared, but the application serves health and metrics on its HTTP port (quarkus.management.enabled is not true in application.properties)");
  } else if (management && management.containerPort !== managementPort) {
    fail(overlay, where, `port management is ${management.containerPort}, the application's management interface listens on ${managementPort} (quarkus.management.port)`);
  }
  const annotations = pod.metadata.annotations ?? {};
  if (management && annotations["prometheus.io/port"] && Number(annotations["prometheus.io/port"]) !== management.containerPort) {
    fail(overlay, where, `prometheus.io/port is ${annotations["prometheus.io/port"]}, the management port is ${management.containerPort}`);
  }

  // Its probes ask the application's health endpoints, on the port that serves them.
  const root = managementEnabled ? resolve("quarkus.management.root-path", env) : `/${resolve("quarkus.http.non-application-root-path", env)}`;
  const health = `${root.replace(/\/$/, "")}/${resolve("quarkus.smallrye-health.root-path", env)}`;
  const endpoints = {
    startupProbe: [`${health}/${resolve("quarkus.smallrye-health.startup-path", env)}`],
    livenessProbe: [`${health}/${resolve("quarkus.smallrye-health.liveness-path", env)}`],
    readinessProbe: [`${health}/${resolve("quarkus.smallrye-health.readiness-path", env)}`],
  };
  const healthPort = managementEnabled ? "management" : "http";
  for (const [kind, paths] of Object.entries(endpoints)) {
    const probe = container[kind]?.httpGet;
    if (!probe) { fail(overlay, where, `no HTTP ${kind}`); continue; }
    if (!paths.includes(probe.path)) fail(overlay, where, `${kind} asks ${probe.path}; the application's endpoint for it is ${paths.join(" or ")}`);
    const probePort = (container.ports ?? []).find((p) => p.name === probe.port || p.containerPort === probe.port);
    if (probePort && probePort.name !== healthPort) fail(overlay, where, `${kind} asks port ${probePort.name}; health is served on port ${healthPort}`);
  }

  // Services and the Ingress reach the app port only.
  const parleyServices = byKind("Service").filter((s) => matches(s.spec.selector, pod.metadata.labels));
  if (parleyServices.length === 0) fail(overlay, where, "no Service selects its pods");
  for (const s of parleyServices) {
    for (const p of s.spec.ports) {
      if (management && (p.targetPort === "management" || p.targetPort === management.containerPort)) fail(overlay, idOf(s), "exposes the management port");
    }
  }
  for (const i of byKind("Ingress")) {
    for (const rule of i.spec.rules ?? []) for (const path of rule.http?.paths ?? []) {
      const backend = path.backend.service;
      const service = byKind("Service").find((s) => s.metadata.name === backend.name);
      const port = service?.spec.ports.find((p) => p.name === backend.port.name || p.port === backend.port.number);
      if (!service || !port) { fail(overlay, idOf(i), `backend ${backend.name}:${backend.port.name ?? backend.port.number} is no Service port`); continue; }
      if (parleyServices.includes(service) && port.targetPort !== "http" && port.targetPort !== http?.containerPort) fail(overlay, idOf(i), `routes to ${port.targetPort}, not the app port`);
    }
    const limit = i.metadata.annotations?.["nginx.ingress.kubernetes.io/proxy-body-size"];
    const appLimit = resolve("quarkus.http.limits.max-body-size", env);
    if (bytes(limit) !== bytes(appLimit)) fail(overlay, idOf(i), `proxy-body-size ${limit} differs from quarkus.http.limits.max-body-size ${appLimit}`);
  }

  // The NetworkPolicies select its pods, admit the ingress controller to the app port and Prometheus to
  // the management port, and let it resolve names.
  const policies = byKind("NetworkPolicy").filter((p) => matches(p.spec.podSelector.matchLabels, pod.metadata.labels));
  const ingressRules = policies.filter((p) => p.spec.policyTypes?.includes("Ingress")).flatMap((p) => p.spec.ingress ?? []);
  const admits = (namespace, port) => ingressRules.some((r) =>
    (r.from ?? []).some((f) => f.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === namespace)
    && (r.ports ?? []).some((p) => p.port === port.name || p.port === port.containerPort));
  if (!policies.some((p) => p.spec.policyTypes?.includes("Ingress"))) fail(overlay, where, "no NetworkPolicy restricts traffic to its pods");
  if (http && !admits("ingress-nginx", http)) fail(overlay, "NetworkPolicy", "does not admit the ingress controller (namespace ingress-nginx) to the app port");
  if (management && !admits("monitoring", management)) fail(overlay, "NetworkPolicy", "does not admit Prometheus (namespace monitoring) to the management port");
  for (const r of ingressRules) {
    const ports = (r.ports ?? []).map((p) => p.port);
    const fromIngress = (r.from ?? []).some((f) => f.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "ingress-nginx");
    if (fromIngress && management && (ports.includes("management") || ports.includes(management.containerPort))) fail(overlay, "NetworkPolicy", "admits the ingress controller to the management port");
  }
  // A PodMonitor, where the overlay has one, scrapes its pods' management port at the metrics path.
  const metricsPath = `${root.replace(/\/$/, "")}/${resolve("quarkus.micrometer.export.prometheus.path", env).replace(/^\/?(q\/)?/, "")}`;
  for (const m of byKind("PodMonitor")) {
    if (!matches(m.spec.selector.matchLabels, pod.metadata.labels)) fail(overlay, idOf(m), "selects no Parley pod");
    for (const e of m.spec.podMetricsEndpoints ?? []) {
      if (e.port !== "management") fail(overlay, idOf(m), `scrapes port ${e.port}; metrics are served on port management`);
      if (e.path !== metricsPath) fail(overlay, idOf(m), `scrapes ${e.path}; the application serves metrics at ${metricsPath}`);
    }
  }
  const egress = policies.filter((p) => p.spec.policyTypes?.includes("Egress")).flatMap((p) => p.spec.egress ?? []);
  if (!egress.some((r) => (r.ports ?? []).some((p) => p.port === 53))) fail(overlay, "NetworkPolicy", "does not let the Parley pods reach DNS");

  // A Keycloak deployed alongside is the version the tests run against.
  const keycloakVersion = /<keycloak\.version>([^<]+)</.exec(read("pom.xml"))?.[1];
  for (const w of workloads) for (const c of w.spec.template.spec.containers) {
    const m = /keycloak\/keycloak:(.+)$/.exec(c.image);
    if (m && m[1] !== keycloakVersion) fail(overlay, idOf(w), `Keycloak ${m[1]}, the tests run ${keycloakVersion} (pom.xml)`);
  }
}

/** The prod overlay's external Secrets: the table under "Secrets of the prod overlay" in docs/operations.md. */
function externalSecrets() {
  const text = read("docs/operations.md");
  const start = text.indexOf("### Secrets of the prod overlay");
  if (start < 0) throw new Error('docs/operations.md has no section "### Secrets of the prod overlay"');
  const section = text.slice(start, text.indexOf("\n#", start + 4));
  const secrets = new Map();
  for (const m of section.matchAll(/^\| `([a-z0-9-]+)` \| ([^|]+)\|/gm)) {
    secrets.set(m[1], new Set([...m[2].matchAll(/`([^`]+)`/g)].map((k) => k[1])));
  }
  if (secrets.size === 0) throw new Error("the prod overlay's Secrets table in docs/operations.md lists no Secret");
  return secrets;
}

let count = 0;
for (const arg of overlayArgs) {
  const [overlay, file] = arg.split("=");
  const objects = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS()).filter(Boolean);
  count += objects.length;
  await schemaCheck(overlay, objects);
  crossCheck(overlay, objects, overlay === "prod" ? externalSecrets() : null);
}

if (problems.length) {
  console.error(problems.map((p) => `FAIL ${p}`).join("\n"));
  console.error(`${problems.length} problem(s) in the rendered overlays`);
  process.exit(1);
}
console.log(`${count} objects in ${overlayArgs.length} overlays: schemas valid, references consistent (${quarkus.length} Quarkus and ${envForKey.size} Parley settings known)`);
