"""Population extract rows that fit the shared ``world`` fixture (used by the linkage tests)."""

from __future__ import annotations

HEADER = "person_id,personal_id,full_name,dob,sex,commune_code,residence_household_no,status\n"


def members(world):  # type: ignore[no-untyped-def]
    def by(hh):  # type: ignore[no-untyped-def]
        ms = list(hh.members.order_by("pk"))
        return ms[0], ms[1]

    return by(world.hh_a1), by(world.hh_a2), by(world.hh_b)


def extract_csv(world) -> str:  # type: ignore[no-untyped-def]
    (an, bich_a1), (_dao, _bich_a2), (_duc, bich_b) = members(world)
    a, b = world.commune_a.code, world.commune_b.code
    return (
        HEADER
        + "\n".join(
            [
                f"P1,{an.personal_id},Nguyễn Văn Ân,1980-05-17,Nam,{a},R1,alive",
                f"P2,{bich_a1.personal_id},Trần Thị Bích,01/03/2012,Nữ,{a},R1,alive",
                f"P3,,Lê Thị Đào,1975-02-03,Nữ,{a},R2,alive",
                f"P4,,Pham Minh Duc,1980,Nam,{b},R3,deceased",
                f"P5,{bich_b.personal_id},Trần Thị Bích,2012-03-01,Nữ,{b},R9,alive",
            ]
        )
        + "\n"
    )
