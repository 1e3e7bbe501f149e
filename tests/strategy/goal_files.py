"""Goal files of the strategy import tests: CSV text from lines, and a good cascade owned by the
people of the `people` fixture."""

HEADER = "key,title,parent key,owner username,org unit,leg,KPI,baseline,target,unit,weight,due date"


def csv_of(*lines) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def good_file(p):
    return csv_of(
        f"TOP,Most recommended,,{p['exec']},,cx,nps,20,35,points,2,2026-12-31",
        f"SVC,Answer in a day,TOP,{p['head']},Service,customer experience,,,,,1,",
        f"PPL,Keep our people,TOP,{p['head']},Service,people,,,,,1.5,31.12.2026",
    )
