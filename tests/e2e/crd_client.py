# Custom objects through the official Kubernetes Python client's CustomObjectsApi.
import sys
import time

from kubernetes import client, config
from kubernetes.client.rest import ApiException

config.load_kube_config(sys.argv[1])
api = client.CustomObjectsApi()
deadline = time.time() + 10
while True:  # the CRD was created a moment ago
    try:
        api.list_namespaced_custom_object("example.com", "v1", "default", "widgets")
        break
    except ApiException:
        if time.time() > deadline:
            raise
        time.sleep(0.1)
body = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w-py"},
        "spec": {"image": "nginx", "replicas": 2}}
created = api.create_namespaced_custom_object("example.com", "v1", "default", "widgets", body)
print("created:", created["metadata"]["name"], created["spec"]["replicas"])
listed = api.list_namespaced_custom_object("example.com", "v1", "default", "widgets")
print("listed:", [item["metadata"]["name"] for item in listed["items"]])
patched = api.patch_namespaced_custom_object("example.com", "v1", "default", "widgets", "w-py", {"spec": {"replicas": 7}})
print("patched:", patched["spec"]["replicas"])
try:
    api.create_namespaced_custom_object("example.com", "v1", "default", "widgets",
                                        {"apiVersion": "example.com/v1", "kind": "Widget",
                                         "metadata": {"name": "bad"}, "spec": {"replicas": 1}})
except ApiException as e:
    print("refused:", e.status)
api.delete_namespaced_custom_object("example.com", "v1", "default", "widgets", "w-py")
