"""Templates compiled once per process, not once per admin.

Each sqladmin ``Admin`` makes its own Jinja environment, so every admin
mounted (one per app, per test, per tenant) compiled every page's templates
again on its first request: a tenth of a second per page kind. The compiled
code is kept here, in memory, for every environment of the same configuration;
Jinja still checks each template's source against it, so an edited template
is compiled afresh.
"""

import threading

from jinja2 import Environment
from jinja2.bccache import Bucket, BytecodeCache


class SharedBytecodeCache(BytecodeCache):
    """Compiled templates in memory, shared by environments that compile alike
    (same extensions, delimiters and escaping), keyed by Jinja's own key."""

    def __init__(self) -> None:
        self._code: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    def attach(self, env: Environment) -> None:
        """Let ``env`` use the cache, under the key of its configuration."""
        env.bytecode_cache = _Keyed(self, _configuration(env))

    def load(self, configuration: str, bucket: Bucket) -> None:
        code = self._code.get((configuration, bucket.key))
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump(self, configuration: str, bucket: Bucket) -> None:
        with self._lock:
            self._code[(configuration, bucket.key)] = bucket.bytecode_to_string()

    def load_bytecode(self, bucket: Bucket) -> None:
        self.load("", bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.dump("", bucket)

    def clear(self) -> None:
        with self._lock:
            self._code.clear()


class _Keyed(BytecodeCache):
    """One environment's view of the shared cache."""

    def __init__(self, shared: SharedBytecodeCache, configuration: str) -> None:
        self.shared, self.configuration = shared, configuration

    def load_bytecode(self, bucket: Bucket) -> None:
        self.shared.load(self.configuration, bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.shared.dump(self.configuration, bucket)


def _configuration(env: Environment) -> str:
    """What, beside a template's source, decides the code Jinja compiles."""
    return repr(
        (
            sorted(env.extensions),
            env.block_start_string,
            env.block_end_string,
            env.variable_start_string,
            env.variable_end_string,
            env.comment_start_string,
            env.comment_end_string,
            env.line_statement_prefix,
            env.line_comment_prefix,
            env.trim_blocks,
            env.lstrip_blocks,
            env.newline_sequence,
            env.keep_trailing_newline,
            env.optimized,
            env.autoescape if isinstance(env.autoescape, bool) else id(env.autoescape),
            id(env.finalize) if env.finalize else None,
            env.is_async,
        )
    )


COMPILED = SharedBytecodeCache()
