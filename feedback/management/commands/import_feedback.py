from feedback.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import survey responses (CSV or XLSX) into a source of an organization; prints one JSON "
        "summary. Re-importing the same or an overlapping file adds no duplicates."
    )
    kind = "feedback"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--source", required=True, help="Source name; created if new.")

    def source_name(self, options) -> str:
        return options["source"]
