"""The journal: the only code that reads or writes the journal file and the files beside it.

One job per module, each importing only those above it:

- `codec.py`: a record's line and back (encode, parse, damaged lines, the write cut short at the end, and the
  batch an import writes, committed by its last record: left open at the end, every read passes over it);
- `fold.py`: the records, in journal order, folded into the state (sessions with their actions' current status);
- `files.py`: file mechanics (the I/O seam, the lock, the durable append with its tail repair, the atomic swap);
- `query.py`: what read commands ask (`JournalQuery`), answered from a full read (`StateQuery`);
- `index_schema.py`, `index_update.py`, `index_query.py`: the derived SQLite index beside the journal, its
  tables, how writers bring it up to date, and how readers ask it;
- `stream.py`: every session one at a time, for the commands that need them all (stats, export);
- `facade.py`: `Journal`, which commands use;
- `hlc.py`, `replica.py`, `merge.py`, `folder.py`, `team.py`: a journal that is a folder of replicas' files, one
  writer each (`Journal(folder)` is a `FolderJournal`; see docs/replicas.md), and several journals read as one.

Commands import from here: `from coachcli.journal import Journal`.
"""

from coachcli.journal.codec import SCHEMA_VERSION, DamagedLine, damaged_warning, session_record, status_record
from coachcli.journal.facade import Journal
from coachcli.journal.files import lock_timeout
from coachcli.journal.fold import JournalState, fold_bytes
from coachcli.journal.folder import FolderJournal
from coachcli.journal.query import ActionPage, JournalQuery, SessionPage, StreamedSession
from coachcli.journal.stream import SessionStream
from coachcli.journal.team import TeamJournal

__all__ = [
    "SCHEMA_VERSION",
    "ActionPage",
    "DamagedLine",
    "FolderJournal",
    "Journal",
    "JournalQuery",
    "JournalState",
    "SessionPage",
    "SessionStream",
    "StreamedSession",
    "TeamJournal",
    "damaged_warning",
    "fold_bytes",
    "lock_timeout",
    "session_record",
    "status_record",
]
