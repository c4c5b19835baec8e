package probe

import "testing"

func TestPathParamsTakeAnyNameOpenAPIAllows(t *testing.T) {
	got := PathParams("/pets/{pet-id}/toys/{toy.id}")
	if len(got) != 2 || got[0] != "pet-id" || got[1] != "toy.id" {
		t.Errorf("PathParams = %q", got)
	}
	filled := FillPath("/pets/{pet-id}/toys/{toy.id}", func(name string) string { return "<" + name + ">" })
	if filled != "/pets/<pet-id>/toys/<toy.id>" {
		t.Errorf("FillPath = %q", filled)
	}
}
