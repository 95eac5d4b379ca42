# A small client written with the official Kubernetes Python client: lists, creates, watches.
import sys
import threading

from kubernetes import client, config, watch

config.load_kube_config(sys.argv[1])
core = client.CoreV1Api()
apps = client.AppsV1Api()

print("namespaces:", sorted(ns.metadata.name for ns in core.list_namespace().items))
core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py-cm"), data={"k": "v"}))
print("configmap:", core.read_namespaced_config_map("py-cm", "default").data)
pod = client.V1Pod(metadata=client.V1ObjectMeta(name="py-pod", labels={"app": "py"}),
                   spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="busybox")]))
core.create_namespaced_pod("default", pod)
pods = core.list_namespaced_pod("default", label_selector="app=py")
print("pods:", [p.metadata.name for p in pods.items], pods.items[0].status.phase)


def change_then_delete():
    core.patch_namespaced_pod("py-pod", "default", {"metadata": {"labels": {"x": "y"}}})
    core.delete_namespaced_pod("py-pod", "default")


seen = []
w = watch.Watch()
threading.Timer(0.5, change_then_delete).start()
for event in w.stream(core.list_namespaced_pod, "default", label_selector="app=py", timeout_seconds=20):
    seen.append(event["type"])
    if event["type"] == "DELETED":
        w.stop()
print("events:", seen)

bad = client.V1Deployment(
    metadata=client.V1ObjectMeta(name="bad"),
    spec=client.V1DeploymentSpec(replicas=-1, selector=client.V1LabelSelector(match_labels={"a": "b"}),
                                 template=client.V1PodTemplateSpec(
                                     metadata=client.V1ObjectMeta(labels={"a": "b"}),
                                     spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="x")]))))
try:
    apps.create_namespaced_deployment("default", bad)
except client.exceptions.ApiException as e:
    print("invalid:", e.status)
