"""Amenity actions read as words in the operators' audit log, not as codes."""
from community.amenities import operations as ops
from community.amenities.schedule import OpeningHours


def test_amenity_actions_are_labelled_in_the_audit_log(client, db, login, community, community_admin):
    hours = OpeningHours.from_weekday_texts({d: "08:00-22:00" for d in range(7)}).to_dict()
    ops.create_resource(community, actor=community_admin, kind="gym", name="健身房", capacity=5,
                        slot_minutes=60, opening_hours=hours)
    db.session.commit()
    login(community_admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "新建空间" in page and "健身房" in page and "gym" not in page.split("<main")[1]
    client.get("/lang/en")
    assert "Amenity created" in client.get("/admin/audit").get_data(as_text=True)
