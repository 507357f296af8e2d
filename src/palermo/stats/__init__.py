"""Crime and cooperation figures: records and cases by ICCS offence section, country and
year; notices by type and status; screening volume and hit rate; the results of operations
(action days); beside them, on the statistics page, the asset recovery figures
(`palermo.assets.statistics`) and the response times between countries
(`palermo.judicial.statistics`), each computed by its own capability.

Counts only, never which records — and only counts of what the reader may see, so that no
figure reveals a record, case or notice kept from it:

- records: those `policy.records` lets the reader see **in full** for criminal analysis
  (statistics are strategic analysis). A record the reader may only hit (hit/no-hit) or not
  see at all is not counted: its offence codes and its owner's country are more than a hit
  tells. Watch-list entries (`list_entries`) are the lists' content, not intelligence about
  crime, and are left out. A record counts in the year it was collected, under its owner
  agency's country, once in each ICCS section its offence codes fall in;
- cases and operation results: the cases one of the reader's agencies is a current member
  of (`policy.cases`), under the lead agency's country, in the year opened (results: the
  year reported);
- notices: those `policy.notices` lets the reader see, in the year they were created;
- screening: the screenings of the reader's own agencies, read from the audit log (one line
  per screening — a name on the form or the API, or a chunk of a batch); the hit rate is the
  share of those that found anything.

Who reads statistics (`READERS`): every role but private partners' (who only ever screen and
get hits). Each figure further needs the work it is about — an auditor reads the screening
figures of their agency and no records, cases or notices, since their roles see none."""

from palermo.identity.roles import Role

READERS = frozenset(Role) - {Role.partner}

__all__ = ["READERS"]
