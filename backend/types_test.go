package backend

import "testing"

// CRI's sandbox metadata names the pod of the containers it knows, over
// their labels; the labels stay for the containers it does not know.
func TestJoinPods(t *testing.T) {
	ctrs := []Container{
		{ID: "sb1", Kind: "sandbox"},
		{ID: "c1", Kind: "container"},
		{ID: "c2", PodName: "stale", PodNamespace: "old", ContainerName: "kept", PodUID: "u-old"},
		{ID: "native", PodName: "from-labels", PodNamespace: "ns"},
	}
	JoinPods(ctrs, map[string]PodRef{
		"sb1": {SandboxID: "sb1", Name: "runp", Namespace: "tools", UID: "u1"},
		"c1":  {SandboxID: "sb1", Name: "runp", Namespace: "tools", UID: "u1", Container: "app"},
		"c2":  {SandboxID: "sb2", Name: "web", Namespace: "prod"},
	})
	want := []Container{
		{ID: "sb1", Kind: "sandbox", PodName: "runp", PodNamespace: "tools", PodUID: "u1"},
		{ID: "c1", Kind: "container", PodName: "runp", PodNamespace: "tools", PodUID: "u1", ContainerName: "app"},
		{ID: "c2", PodName: "web", PodNamespace: "prod", ContainerName: "kept", PodUID: "u-old"},
		{ID: "native", PodName: "from-labels", PodNamespace: "ns"},
	}
	for i := range want {
		g, w := ctrs[i], want[i]
		if g.PodName != w.PodName || g.PodNamespace != w.PodNamespace || g.PodUID != w.PodUID || g.ContainerName != w.ContainerName {
			t.Errorf("%s: got %+v, want %+v", w.ID, g, w)
		}
	}
	JoinPods(ctrs, nil) // CRI not available: nothing changes
	if ctrs[3].PodName != "from-labels" {
		t.Errorf("nil refs changed %+v", ctrs[3])
	}
}
