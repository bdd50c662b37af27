"""Command line: parse, call the engine, write, exit. Exit codes: 0 ok, 1 gate failed, 2 usage/config error,
3 a required source unreachable, 4 internal error."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from enum import IntEnum
from pathlib import Path
from typing import Any

import click
import jsonschema
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from assess import __version__
from assess.checks.catalog import load_catalog
from assess.collectors.cluster.snapshot import SnapshotError, dump_snapshot
from assess.collectors.forges import sample_recording
from assess.collectors.git_command import SIGNATURE_PROGRAMS, UntrustedRepositoryError, Verifiers
from assess.collectors.git_repo import NotARepositoryError, RepositoryError
from assess.collectors.github.api import default_cache_dir
from assess.collectors.github.names import plain_http_warning, valid_full_name, valid_owner
from assess.collectors.gitlab.remote import valid_project_path
from assess.collectors.samples import SampleError, get_sample, list_samples, materialise
from assess.derive.audit_sample import Sample, draw_sample
from assess.derive.periods import ALL, instant, parse_when
from assess.derive.repo_kind import RepoKind
from assess.derive.view import tree_view
from assess.engine import (
    DEFAULT_API_URL,
    Settings,
    collect,
    derive,
    evaluate_bundle,
    evidence_json,
    has_errors,
    run_assessment,
)
from assess.evaluation.evaluate import maturity_model, view_options
from assess.evaluation.facts import periods_for
from assess.model.check import CheckSpec
from assess.model.codec import from_plain
from assess.model.evidence import EvidenceBundle
from assess.model.finding import Outcome, Severity
from assess.model.forge import TERMS, Forge
from assess.model.report import Report
from assess.model.schema import report_schema
from assess.model.wording import plural
from assess.policy.config import Config, ConfigError, load_config
from assess.policy.maturity import MaturityModel, ModelError, gated
from assess.policy.source import config_from_ref, weakenings
from assess.reporters import fleet_report, inert, terminal
from assess.reporters.atomic_write import OutputError, ensure_writable_dir, write_atomic
from assess.reporters.audit_csv import audit_csv, audit_json
from assess.reporters.presentation import Presentation
from assess.reporters.registry import FleetInput, ReportInput, output_formats
from assess.reporters.system_packages import install_hint
from assess.reports.diff import compare, render_json, render_markdown, render_terminal
from assess.reports.fleet import merge as merge_reports
from assess.scans.forges import ORG_SCANNERS
from assess.scans.org_scanner import ForgeOrgScanner, OrgFilters, OwnerUnreadableError, scan_owner
from assess.settings import DEFAULT_GITLAB_URL

# The terminal summary piped into a file or a pager: lines as long as the content, not the 80 of no terminal.
PIPED_WIDTH = 200
When = datetime | timedelta | str | None


class Exit(IntEnum):
    """Process exit codes (DESIGN §5)."""

    OK = 0
    GATE_FAILED = 1
    USAGE = 2
    SOURCE_UNREACHABLE = 3
    INTERNAL = 4



class UserError(click.ClickException):
    """An error the user can fix; printed as one line, exit 2."""

    exit_code = int(Exit.USAGE)

    def show(self, file: object = None) -> None:
        """Print `gitops-assess: error: …` to stderr."""
        click.echo(f"gitops-assess: error: {inert.line(self.format_message())}", err=True)


class SourceUnreachable(UserError):
    """A required source (the repository itself) cannot be read; exit 3."""

    exit_code = int(Exit.SOURCE_UNREACHABLE)


def _when(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | timedelta | str | None:
    """Parse --since/--until/--audit-since: `all`, a duration (90d, 12w, 6m, 1y), an ISO date or date-time."""
    if value is None:
        return None
    try:
        parsed = parse_when(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    if parsed == ALL and param.name != "since":
        raise click.BadParameter("'all' is only meaningful for --since")
    if param.name == "until" and isinstance(parsed, datetime) and len(value.strip()) == 10:
        return parsed + timedelta(days=1, seconds=-1)  # a day given as the end: the whole day is in
    return parsed


def _window(since: datetime | timedelta | str | None, until: datetime | timedelta | str | None,
            audit_since: datetime | timedelta | str | None, as_of: datetime | None) -> dict[str, Any]:
    """Settings fields for the periods: durations count back from the end (--until, the sample's date, or now)."""
    end = instant(until, datetime.now(UTC)) or as_of
    anchor = end or datetime.now(UTC)
    return {"since": instant(since, anchor), "since_all": since == ALL, "until": end,
            "audit_since": instant(audit_since, anchor)}


def history_options(func: Callable[..., None]) -> Callable[..., None]:
    """Options that choose the history window, shared by `scan` and `audit-trail`."""
    for option in reversed([
        click.option("--branch", help="Branch whose first-parent history is read (default: HEAD's branch)."),
        click.option("--since", callback=_when,
                     help="Start of the assessment period for gates and delivery metrics (default: 90 days before "
                     "--until): YYYY-MM-DD, ISO date-time, 90d, or 'all' for the whole history."),
        click.option("--until", callback=_when,
                     help="End of both periods (default: now): the repository is judged as it stood then."),
        click.option("--audit-since", callback=_when,
                     help="Start of the audit period for the change log (default: 12 months before --until)."),
        click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=str),
                     help="Policy file (default: .gitops-assess.yaml in the repository)."),
        click.option("--config-ref", metavar="REF",
                     help="Read .gitops-assess.yaml as committed at REF (e.g. origin/main), not from the tree under "
                     "review: a pull request cannot weaken the policy that gates it. What its own policy file would "
                     "disable or waive is listed in the report as not applied."),
    ]):
        func = option(func)
    return func


trust_option = click.option(
    "--trust-repo-config", is_flag=True,
    help="Scan a repository another user owns although its .git/config is theirs (git still runs no program it "
    "configures). Not needed for a directory listed in git's safe.directory.")


def _verifiers(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> Verifiers:
    """Parse repeated `--verifier FORMAT=PROGRAM` (formats: openpgp, ssh, x509)."""
    named: dict[str, str] = {}
    for item in value:
        kind, sep, program = item.partition("=")
        if not sep or kind not in SIGNATURE_PROGRAMS or not program:
            raise click.BadParameter(f"{item!r} is not FORMAT=PROGRAM with FORMAT one of openpgp, ssh, x509")
        named[kind] = program
    return Verifiers(**named)


def _repo_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not valid_full_name(value):
        raise click.BadParameter(f"{value!r} is not owner/repo")
    return value


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    match = re.fullmatch(r"(\d+)/(\d+)", value.strip())
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise click.BadParameter(f"{value!r} is not I/N with 1 <= I <= N")
    return int(match.group(1)), int(match.group(2))


def _github_source_options() -> list[Any]:
    return [
        click.option("--github", "github_repo", callback=_repo_name, metavar="OWNER/REPO",
                     help="Read GitHub evidence for this repository (default: the origin remote, with a token)."),
        click.option("--no-github", is_flag=True, help="Do not read GitHub evidence."),
        click.option("--github-url", default=DEFAULT_API_URL, show_default=True,
                     help="GitHub API URL (GitHub Enterprise: https://HOST/api/v3)."),
        click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=default_cache_dir,
                     show_default="user cache directory", help="ETag cache: a re-run costs conditional requests."),
        click.option("--no-cache", is_flag=True, help="Do not use or fill the ETag cache."),
        click.option("--max-wait", type=click.FloatRange(0), default=300.0, show_default=True,
                     help="Longest time reading GitHub may take (requests, retries and rate-limit waits together; "
                     "per repository with --github-org); what is not read by then is reported unavailable."),
    ]


def github_source_options(func: Callable[..., None]) -> Callable[..., None]:
    """Options for GitHub evidence of one repository: target, server, cache and waiting (`scan`, `audit-trail`)."""
    for option in reversed(_github_source_options()):
        func = option(func)
    return func


def _github_settings(github_repo: str | None, no_github: bool, github_url: str, cache_dir: Path, no_cache: bool,
                     max_wait: float) -> dict[str, Any]:
    """Settings fields for GitHub evidence; the token comes from the environment only. Warns on plain http."""
    insecure = plain_http_warning(github_url) if not no_github else None
    if insecure:
        click.echo(f"gitops-assess: warning: {insecure}", err=True)
    return {"github": not no_github, "github_repo": github_repo, "github_url": github_url,
            "github_token": _token(), "cache_dir": None if no_cache else cache_dir, "max_wait": max_wait}


def github_options(func: Callable[..., None]) -> Callable[..., None]:
    """Options for GitHub evidence: target, server, cache, waiting, and organisation scans."""
    for option in reversed([
        *_github_source_options(),
        click.option("--github-org", metavar="ORG", help="Scan every repository of an organisation (needs -o)."),
        click.option("--include-archived", is_flag=True, help="With --github-org: include archived repositories."),
        click.option("--include-forks", is_flag=True, help="With --github-org: include forks."),
        click.option("--topic", "topics", multiple=True, help="With --github-org: only repositories with this topic."),
        click.option("--name-pattern", help="With --github-org: only repositories whose name matches (glob)."),
        click.option("--concurrency", type=click.IntRange(1, 32), default=4, show_default=True,
                     help="With --github-org: repositories assessed at once."),
        click.option("--shard", callback=_shard, metavar="I/N",
                     help="With --github-org: assess only shard I of N, chosen by a stable hash of the name "
                          "(CI matrices; merge afterwards)."),
    ]):
        func = option(func)
    return func


def title_options(func: Callable[..., None]) -> Callable[..., None]:
    """Options naming the HTML/PDF document: its title and the organisation it is for."""
    func = click.option("--organisation", "--organization", "organisation", metavar="NAME",
                        help="Organisation named under the title of the HTML/PDF report (config: "
                        "report.organisation).")(func)
    return click.option("--title", metavar="TEXT", help="Title of the HTML/PDF report (config: report.title; "
                        "default: 'GitOps assessment — <repository>').")(func)


def cluster_options(func: Callable[..., None]) -> Callable[..., None]:
    """Options choosing the cluster(s): live contexts from a kubeconfig."""
    for option in reversed([
        click.option("--kube-context", "kube_contexts", multiple=True, metavar="NAME",
                     help="Read this kubeconfig context (repeatable: several clusters in one report)."),
        click.option("--all-contexts", is_flag=True, help="Read every context of the kubeconfig."),
        click.option("--kubeconfig", type=click.Path(dir_okay=False), help="Kubeconfig file (default: KUBECONFIG or "
                     "~/.kube/config)."),
    ]):
        func = option(func)
    return func


TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")


def _token() -> str | None:
    """The GitHub token, from the environment only (never from arguments, never printed). Once read it leaves the
    process environment, so no child process (git, zizmor, kubeconfig `exec` plugins) inherits it."""
    found = [os.environ.pop(name, None) for name in TOKEN_VARIABLES]
    return next((value for value in found if value), None)


def _gitlab_token() -> tuple[str | None, bool]:
    """The GitLab token and whether it is a CI job token, from the environment only; like the GitHub token it leaves
    the process environment once read."""
    personal, job = os.environ.pop("GITLAB_TOKEN", None), os.environ.pop("CI_JOB_TOKEN", None)
    return (personal, False) if personal else ((job, True) if job else (None, False))


def _gitlab_project(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not valid_project_path(value):
        raise click.BadParameter(f"{value!r} is not a GitLab project path (group[/subgroup]/project)")
    return value


def _formats(value: str) -> list[str]:
    known = output_formats()
    items = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in items if v not in known]
    if unknown or not items:
        raise click.BadParameter(f"unknown format {', '.join(unknown) or value!r}; choose from {', '.join(known)}")
    return list(dict.fromkeys(items))


class _Commands(click.Group):
    """The command group: an output that cannot be written is the user's to fix (exit 2), not an internal error."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, turning OutputError into a one-line usage error."""
        try:
            return super().invoke(ctx)
        except OutputError as exc:
            raise UserError(str(exc)) from exc


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gitops-assess")
def cli() -> None:
    """Assess how far along GitOps a team really is, with evidence."""


@cli.command()
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=str))
@click.option("--sample", "sample_name", metavar="NAME", help="Scan a bundled sample estate (see `samples`).")
@click.option("--rev", "revision", default="HEAD", show_default=True, help="Revision whose tree is assessed.")
@click.option("--worktree", is_flag=True, help="Assess the work tree, including uncommitted files.")
@click.option("-f", "--format", "formats", default="terminal", show_default=True, callback=lambda c, p, v: _formats(v),
              help="Comma-separated output formats: terminal, json, html, pdf, sarif, junit, md.")
@click.option("-o", "--output", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Directory for report files (report.json, …). Without it a single format goes to stdout.")
@history_options
@click.option("--no-history", is_flag=True, help="Skip history: no audit trail, metrics or timeline.")
@click.option("--kind", type=click.Choice([k.value for k in RepoKind]),
              help="What the repository is, overriding the guess (a kind other than gitops-estate is not graded).")
@click.option("--timeline-months", type=click.IntRange(0, 120), default=12, show_default=True,
              help="Month-end points of the maturity timeline (0 turns it off).")
@click.option("--verify-signatures", is_flag=True,
              help="Also verify signatures with local keys (slower; a separate, failure-tolerant pass).")
@click.option("--allowed-signers", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="SSH allowed-signers file used by --verify-signatures.")
@click.option("--verifier", "verifiers", multiple=True, metavar="FORMAT=PROGRAM", callback=_verifiers,
              help="Program that verifies signatures of one format (openpgp=gpg, ssh=ssh-keygen, x509=gpgsm); "
              "repeatable, implies --verify-signatures. Without it no signature program runs and signatures are "
              "reported as not verified.")
@trust_option
@github_options
@click.option("--gitlab", "gitlab_repo", callback=_gitlab_project, metavar="GROUP/PROJECT",
              help="Read GitLab evidence for this project (token: GITLAB_TOKEN with read_api, or CI_JOB_TOKEN); "
              "default: the origin remote when it is on gitlab.com or the --gitlab-url host.")
@click.option("--gitlab-url", default=DEFAULT_GITLAB_URL, show_default=True,
              help="GitLab instance URL (self-managed: https://gitlab.example.org).")
@click.option("--gitlab-group", metavar="GROUP", help="Scan every project of a GitLab group and its subgroups (needs "
              "-o; the --github-org filters, --concurrency and --shard apply).")
@cluster_options
@click.option("--cluster", "live_cluster", is_flag=True, help="Read the cluster of the current kubeconfig context.")
@click.option("--cluster-snapshot", "cluster_snapshots", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read a cluster snapshot (from `gitops-assess snapshot` or `kubectl get … -o yaml "
              "--show-managed-fields`); repeatable.")
@click.option("--fail-under-stage", type=click.IntRange(0, 99), help="Exit 1 when the stage reached is lower.")
@click.option("--fail-on", type=click.Choice([s.value for s in Severity]),
              help="Exit 1 on any failing finding of this severity or higher.")
@click.option("--fail-on-regression", "baseline", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Exit 1 when this run is worse than a baseline report JSON (stage or any finding).")
@click.option("--save-evidence", type=click.Path(dir_okay=False, path_type=Path),
              help="Also save the evidence bundle, for offline re-evaluation.")
@click.option("--from-evidence", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Re-evaluate a saved evidence bundle instead of collecting.")
@title_options
@click.option("-v", "--verbose", is_flag=True, help="List every finding in the terminal summary.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no list of written files on stderr.")
@click.option("--debug", is_flag=True, help="Log details (and tracebacks of internal errors) to stderr.")
def scan(path: str | None, sample_name: str | None, revision: str, worktree: bool, formats: list[str],
         output_dir: Path | None, config_path: str | None, config_ref: str | None, branch: str | None, since: When,
         until: When,
         audit_since: When, kind: str | None, no_history: bool, timeline_months: int, verify_signatures: bool,
         allowed_signers: Path | None, verifiers: Verifiers, trust_repo_config: bool, github_repo: str | None,
         no_github: bool, github_url: str, gitlab_repo: str | None, gitlab_url: str, gitlab_group: str | None,
         cache_dir: Path, no_cache: bool, max_wait: float, github_org: str | None, include_archived: bool,
         include_forks: bool, topics: tuple[str, ...], name_pattern: str | None, concurrency: int,
         shard: tuple[int, int] | None, kube_contexts: tuple[str, ...], all_contexts: bool,
         kubeconfig: str | None, live_cluster: bool,
         cluster_snapshots: tuple[Path, ...], fail_under_stage: int | None, fail_on: str | None,
         baseline: Path | None,
         save_evidence: Path | None, from_evidence: Path | None, title: str | None, organisation: str | None,
         verbose: bool, quiet: bool, debug: bool) -> None:
    """Assess the repository at PATH (default: the current directory)."""
    _logging(debug)
    if path and sample_name:
        raise UserError("give a PATH or --sample, not both")
    # Before the work: an unwritable destination fails fast and leaves nothing half-written.
    for destination in ([output_dir] if output_dir else []) + ([save_evidence.parent] if save_evidence else []):
        ensure_writable_dir(destination)
    github = _github_settings(github_repo, no_github, github_url, cache_dir, no_cache, max_wait)
    gitlab_token, job_token = _gitlab_token()
    github |= {"gitlab_repo": gitlab_repo, "gitlab_url": gitlab_url, "gitlab_token": gitlab_token,
               "gitlab_job_token": job_token}
    gitlab_insecure = plain_http_warning(gitlab_url) if gitlab_url != DEFAULT_GITLAB_URL else None
    if gitlab_insecure:
        click.echo(f"gitops-assess: warning: {gitlab_insecure.replace('GitHub API URL', 'GitLab URL')}", err=True)
    if gitlab_repo and github_repo:
        raise UserError("give --github or --gitlab, not both: one forge per repository")
    if gitlab_repo and (github_org or gitlab_group):
        raise UserError("--gitlab reads one project: not with --github-org or --gitlab-group")
    if gitlab_group and github_org:
        raise UserError("give --github-org or --gitlab-group, not both")
    if gitlab_group:
        if not valid_project_path(gitlab_group) and not valid_project_path(f"{gitlab_group}/x"):
            raise UserError(f"--gitlab-group {gitlab_group!r} is not a GitLab group path (group[/subgroup])")
        if output_dir is None:
            raise UserError("--gitlab-group writes one report per project: give --output DIR")
        if config_ref:
            raise UserError("--config-ref reads one repository's history: not with --gitlab-group")
        settings = Settings(path=".", config=_config(config_path, None), kind=kind,
                            **_window(since, until, audit_since, None), **github)
        _check_stage_gate(settings.config, fail_under_stage)
        filters = OrgFilters(include_archived, include_forks, topics, name_pattern, shard)
        sys.exit(int(_scan_org(ORG_SCANNERS[Forge.GITLAB], settings, gitlab_group, filters, concurrency, formats,
                               output_dir, quiet, fail_under_stage, fail_on)))
    if github_org:
        if not valid_owner(github_org):
            raise UserError(f"--github-org {github_org!r} is not a GitHub organisation name (letters, digits and "
                            "hyphens, at most 39)")
        if output_dir is None:
            raise UserError("--github-org writes one report per repository: give --output DIR")
        filters = OrgFilters(include_archived, include_forks, topics, name_pattern, shard)
        if config_ref:
            raise UserError("--config-ref reads one repository's history: not with --github-org")
        config = _config(config_path, None)
        _check_stage_gate(config, fail_under_stage)
        settings = Settings(path=".", config=config, kind=kind, **_window(since, until, audit_since, None),
                            **github)
        sys.exit(int(_scan_org(ORG_SCANNERS[Forge.GITHUB], settings, github_org, filters, concurrency, formats,
                               output_dir, quiet, fail_under_stage, fail_on)))
    file_formats = [f for f in formats if f != "terminal"]
    if output_dir is None and len(file_formats) > 1:
        raise UserError("several file formats need --output DIR")
    err = Console(stderr=True, quiet=quiet)
    try:
        with _target(path, sample_name) as (repo_path, name, as_of):
            config, policy = _policy(config_path, config_ref, repo_path if not from_evidence else None)
            _check_stage_gate(config, fail_under_stage)
            recorded = _recorded_forge(sample_name) if not (github_repo or gitlab_repo) else None
            cluster = {"cluster_snapshots": tuple(cluster_snapshots), "kube_contexts": kube_contexts,
                       "all_contexts": all_contexts, "live_cluster": live_cluster, "kubeconfig": kubeconfig}
            if sample_name and not (cluster_snapshots or kube_contexts or all_contexts or live_cluster):
                recorded_cluster = get_sample(sample_name).file("cluster.yaml")
                if recorded_cluster is not None:
                    cluster["cluster_snapshots"] = (recorded_cluster,)
            settings = Settings(path=repo_path, revision=revision, worktree=worktree, config=config,
                                target_name=name, history=not no_history, branch=branch, kind=kind,
                                **_window(since, until, audit_since, as_of), timeline_months=timeline_months,
                                verify_signatures=verify_signatures, allowed_signers=allowed_signers, now=as_of,
                                verifiers=verifiers, trust_repo_config=trust_repo_config,
                                forge_recording=recorded, **github, **cluster, **policy)  # type: ignore[arg-type]
            with err.status("assessing…") as status:
                if from_evidence:
                    bundle = _load_evidence(from_evidence)
                    report = evaluate_bundle(bundle, replace(settings, target_name=name or str(from_evidence)))
                else:
                    report, bundle = run_assessment(settings, lambda msg: status.update(msg))
    except (ConfigError, SnapshotError) as exc:
        raise UserError(str(exc)) from exc
    except (NotARepositoryError, UntrustedRepositoryError) as exc:
        raise UserError(str(exc)) from exc
    except (RepositoryError, SampleError) as exc:
        raise SourceUnreachable(str(exc)) from exc
    presentation = Presentation(title or config.report_title, organisation or config.report_organisation)
    _write_outputs(report, formats, output_dir, verbose, presentation, quiet)
    if save_evidence:
        write_atomic(save_evidence, evidence_json(bundle))
    code = _exit_code(report, fail_under_stage, fail_on)
    if baseline is not None:
        regressions = compare(_read_report(baseline), report)
        if regressions.has_regressions:
            click.echo("gitops-assess: gate failed: regressions against the baseline:\n"
                       + "\n".join(inert.line(f"  {c.subject}: {c.before} → {c.after}") for c in regressions.regressed),
                       err=True)
            code = max(code, Exit.GATE_FAILED)
    sys.exit(int(code))


def _read_report(path: Path) -> Report:
    """A report JSON, validated against the published schema, as the typed report (older schemas included)."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator(report_schema()).validate(data)
        return Report.from_json(data)
    except (OSError, ValueError, KeyError, TypeError, jsonschema.ValidationError) as exc:
        message = exc.message if isinstance(exc, jsonschema.ValidationError) else str(exc)
        raise UserError(f"{path}: not a gitops-assess report ({message[:200]})") from exc


@contextmanager
def _target(path: str | None, sample_name: str | None) -> Iterator[tuple[str, str | None, datetime | None]]:
    """The repository to scan: PATH, or a sample materialised in a temporary directory (with its as-of date)."""
    if sample_name is None:
        yield path or ".", None, None
        return
    try:
        sample = get_sample(sample_name)
    except SampleError as exc:  # a name the user mistyped: a usage error, not an unreachable source
        raise UserError(str(exc)) from exc
    with tempfile.TemporaryDirectory(prefix=f"gitops-assess-{sample.name}-") as tmp:
        yield str(materialise(sample, Path(tmp) / sample.name)), f"sample:{sample.name}", sample.as_of


def _config(explicit: str | None, repo_root: str | None) -> Config:
    """The policy file, checked against the catalog and today's date (expired waivers fail loudly)."""
    return load_config(explicit, repo_root, frozenset(c.spec.id for c in load_catalog()), date.today())


def _policy(explicit: str | None, config_ref: str | None, repo_root: str | None
            ) -> tuple[Config, dict[str, Any]]:
    """The policy that judges, and the settings that say where it came from. With --config-ref the reviewed tree's
    own policy file only informs: what it would weaken is reported, never applied."""
    if config_ref is None or repo_root is None:
        if config_ref is not None:
            raise UserError("--config-ref needs a repository to read the policy from")
        return _config(explicit, repo_root), {}
    if explicit:
        raise UserError("give --config or --config-ref, not both")
    known = frozenset(c.spec.id for c in load_catalog())
    trusted = config_from_ref(repo_root, config_ref, known, date.today())
    try:
        proposed = load_config(None, repo_root, known, None)
    except ConfigError as exc:
        logging.getLogger(__name__).warning("the reviewed tree's policy file is not valid (%s); it is not used", exc)
        proposed = trusted
    return trusted, {"policy_ref": config_ref, "policy_not_applied": weakenings(trusted, proposed)}


class _InertFormatter(logging.Formatter):
    """Log lines whose repository text (file names with newlines, escapes, `::` commands) cannot act."""

    def format(self, record: logging.LogRecord) -> str:
        """The formatted record on one line; a traceback (--debug) keeps its lines."""
        text = super().format(record)
        return inert.block(text) if record.exc_info else inert.line(text)


def _logging(debug: bool) -> None:
    """Our warnings on stderr; third-party chatter (WeasyPrint's CSS notes, fontTools) only with --debug."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_InertFormatter(logging.BASIC_FORMAT))
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, handlers=[handler], force=True)
    for noisy in ("weasyprint", "fontTools", "matplotlib", "urllib3", "github"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if debug else logging.ERROR)


def _recorded_forge(sample_name: str | None) -> Path | None:
    """A sample's recorded forge answers, so `scan --sample` shows the forge's sections offline."""
    return sample_recording(get_sample(sample_name).directory) if sample_name is not None else None


def _scan_org(scanner: ForgeOrgScanner, settings: Settings, org: str, filters: OrgFilters, concurrency: int,
              formats: list[str], output_dir: Path, quiet: bool, fail_under_stage: int | None,
              fail_on: str | None) -> Exit:
    """Scan an organisation (a GitHub organisation, a GitLab group) with its forge's scanner: one report per
    repository, a fleet summary, and the worst exit code."""
    err = Console(stderr=True, quiet=quiet)
    try:
        names = scanner.list_repos(settings, org, filters)
    except OwnerUnreadableError as exc:
        raise SourceUnreachable(str(exc)) from exc
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task(f"assessing {org}", total=len(names))
        outcomes = scan_owner(scanner, settings, names, concurrency, lambda _: bar.advance(task))
    code = Exit.OK
    for outcome in outcomes:
        if outcome.report is None:
            err.print(inert.line(f"{outcome.repo}: not assessed: {outcome.error}"), markup=False, highlight=False)
            code = max(code, Exit.SOURCE_UNREACHABLE)
            continue
        _write_outputs(outcome.report, [f for f in formats if f != "terminal"] or ["json"],
                       scanner.report_dir(output_dir, outcome.repo), False)
        code = max(code, _exit_code(outcome.report, fail_under_stage, fail_on))
        git_source = outcome.report.sources.get("git")
        if git_source is not None and not git_source.available:
            err.print(inert.line(f"{outcome.repo}: declared state not readable: {git_source.reason}"), markup=False,
                      highlight=False)
            code = max(code, Exit.SOURCE_UNREACHABLE)
    reports = [o.report for o in outcomes if o.report is not None]
    name = org + (f" (shard {filters.shard[0]}/{filters.shard[1]})" if filters.shard else "")
    summary = merge_reports(reports, datetime.now(UTC).isoformat(timespec="seconds"), name)
    summary["not_assessed"] = [{"repo": o.repo, "error": o.error} for o in outcomes if o.report is None]
    _write_fleet(summary, reports, [f for f in formats if f != "terminal"] or ["json"], output_dir)
    if "terminal" in formats:
        click.echo(fleet_report.render_terminal(summary), nl=False)
    return Exit(code)


def _write_fleet(fleet: dict[str, Any], reports: Sequence[Report], formats: list[str], output_dir: Path) -> None:
    """Render every fleet format first, then write each file atomically."""
    table = output_formats()
    given = FleetInput(fleet, tuple(reports))
    missing = [f for f in formats if table[f].write_fleet is None]
    if missing:
        raise UserError(f"no fleet version of the format(s) {', '.join(missing)}")
    files = {fmt: table[fmt].write_fleet(given) for fmt in formats}  # type: ignore[misc]
    for fmt, content in files.items():
        write_atomic(output_dir / table[fmt].fleet_file_name, content)


def _load_evidence(path: Path) -> EvidenceBundle:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not {"git", "unavailable"} <= data.keys():
            raise ValueError("missing the git and unavailable sections")
        return from_plain(EvidenceBundle, data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UserError(f"{path}: not an evidence bundle written by --save-evidence ({exc})") from exc


def _stdout_console() -> Console:
    """The console for the terminal summary: as wide as the terminal, and wide (no hard wrap at 80) when piped."""
    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return Console()
    return Console(width=PIPED_WIDTH)


def _write_outputs(report: Report, formats: list[str], output_dir: Path | None, verbose: bool,
                   presentation: Presentation | None = None, quiet: bool = False) -> None:
    """Render every format first, then write each file atomically (a failed render leaves no file behind) and
    name each written file on stderr unless quiet."""
    table = output_formats()
    given = ReportInput(report, verbose, presentation)
    if output_dir is None:
        binary = [f for f in formats if table[f].binary]
        if binary:
            raise UserError(f"the {binary[0]} format needs --output DIR")
    try:
        files = {fmt: table[fmt].write(given) for fmt in formats if fmt != "terminal" or output_dir is not None}
    except OSError as exc:  # WeasyPrint could not load Pango and friends: the user installs them
        raise UserError(f"a format needs system libraries that could not be loaded ({exc}); install them: "
                        f"{install_hint()}") from exc
    written: list[Path] = []
    for fmt in formats:
        if fmt == "terminal":
            terminal.print_report(report, _stdout_console(), verbose)
            if output_dir is not None:
                write_atomic(output_dir / table["terminal"].file_name, files["terminal"])
                written.append(output_dir / table["terminal"].file_name)
        elif output_dir is not None:
            write_atomic(output_dir / table[fmt].file_name, files[fmt])
            written.append(output_dir / table[fmt].file_name)
        else:
            click.echo(files[fmt], nl=False)
    if not quiet:
        for path in written:
            click.echo(f"wrote {path}", err=True)


def _check_stage_gate(config: Config, fail_under_stage: int | None) -> None:
    """--fail-under-stage names a stage of the maturity model the scan is judged by."""
    last = maturity_model(config).last
    if fail_under_stage is not None and fail_under_stage > last:
        raise UserError(f"--fail-under-stage {fail_under_stage}: the maturity model has stages 0-{last}")


def _exit_code(report: Report, fail_under_stage: int | None, fail_on: str | None) -> Exit:
    if fail_under_stage is not None and report.stage.reached < fail_under_stage:
        click.echo(f"gitops-assess: gate failed: stage {report.stage.reached} is below {fail_under_stage}", err=True)
        return Exit.GATE_FAILED
    if fail_on is not None:
        floor = Severity(fail_on).rank
        failing = [f for f in report.findings
                   if f.outcome is Outcome.FAIL and not f.waived_by and f.severity.rank >= floor]
        if failing:
            click.echo("gitops-assess: gate failed: "
                       f"{plural(len(failing), 'failing finding')} of severity {fail_on} or "
                       f"higher ({', '.join(f.check_id for f in failing[:5])})", err=True)
            return Exit.GATE_FAILED
    if has_errors(report):
        click.echo("gitops-assess: some checks failed internally; see the error findings", err=True)
        return Exit.INTERNAL
    return Exit.OK


@cli.command()
@click.argument("report_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-f", "--format", "formats", default="html", show_default=True,
              callback=lambda c, p, v: _formats(v),
              help="Comma-separated: html, pdf, sarif, junit, md, json, terminal.")
@click.option("-o", "--output", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Directory for the files (a single text format goes to stdout without it).")
@title_options
@click.option("-q", "--quiet", is_flag=True, help="No list of written files on stderr.")
def render(report_path: Path, formats: list[str], output_dir: Path | None, title: str | None,
           organisation: str | None, quiet: bool) -> None:
    """Render any format from a saved report JSON."""
    _logging(False)
    report = _read_report(report_path)
    if output_dir is None and len([f for f in formats if f != "terminal"]) > 1:
        raise UserError("several file formats need --output DIR")
    _write_outputs(report, formats, output_dir, False, Presentation(title, organisation), quiet)


@cli.command("diff")
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-f", "--format", "fmt", type=click.Choice(["terminal", "md", "json"]), default="terminal",
              show_default=True)
@click.option("--fail-on-regression", is_flag=True, help="Exit 1 when anything regressed.")
def diff_cmd(old: Path, new: Path, fmt: str, fail_on_regression: bool) -> None:
    """Show what improved and what regressed between two reports: stage, findings and metrics."""
    result = compare(_read_report(old), _read_report(new))
    render = {"terminal": render_terminal, "md": render_markdown, "json": render_json}[fmt]
    click.echo(render(result), nl=False)
    if fail_on_regression and result.has_regressions:
        sys.exit(int(Exit.GATE_FAILED))


@cli.command("merge")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", "output_dir", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("-f", "--format", "formats", default="json,md,html,pdf,sarif,junit", show_default=True,
              callback=lambda c, p, v: _formats(v), help="Fleet formats to write.")
@click.option("--name", default="fleet", show_default=True, help="Name of the fleet (e.g. the organisation).")
def merge_cmd(inputs: tuple[Path, ...], output_dir: Path, formats: list[str], name: str) -> None:
    """Merge repository reports (files, or directories searched for report.json) into a fleet report."""
    _logging(False)
    paths: list[Path] = []
    for item in inputs:
        paths += sorted(item.rglob("report.json")) if item.is_dir() else [item]
    if not paths:
        raise UserError("no report.json found in the inputs")
    reports = [_read_report(p) for p in paths]
    fleet = merge_reports(reports, datetime.now(UTC).isoformat(timespec="seconds"), name)
    _write_fleet(fleet, reports, formats, output_dir)
    click.echo(f"{len(reports)} reports merged into {output_dir}", err=True)


@cli.command("audit-trail")
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=str))
@click.option("--sample", "sample_name", metavar="NAME", help="Use a bundled sample estate.")
@click.option("-f", "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: stdout).")
@click.option("--sample-size", type=click.IntRange(1), metavar="N",
              help="Write a random sample of N changes of the population (how an auditor tests a control).")
@click.option("--seed", type=click.IntRange(0), help="Seed of the sample: the same seed draws the same changes "
              "(default: a random seed, printed so the sample can be drawn again).")
@history_options
@trust_option
@github_source_options
def audit_trail_cmd(path: str | None, sample_name: str | None, fmt: str, output: Path | None,
                    sample_size: int | None, seed: int | None,
                    config_path: str | None, config_ref: str | None, branch: str | None, since: When, until: When,
                    audit_since: When, trust_repo_config: bool, github_repo: str | None, no_github: bool,
                    github_url: str, cache_dir: Path, no_cache: bool, max_wait: float) -> None:
    """Write the raw change log: one record per deployment change, confirmed with the forge where it can be read."""
    if path and sample_name:
        raise UserError("give a PATH or --sample, not both")
    if seed is not None and sample_size is None:
        raise UserError("--seed draws a sample: give --sample-size N too")
    github = _github_settings(github_repo, no_github, github_url, cache_dir, no_cache, max_wait)
    try:
        with _target(path, sample_name) as (repo_path, name, as_of):
            config, _ = _policy(config_path, config_ref, repo_path)
            window = _window(since, until, audit_since, as_of)
            recorded = _recorded_forge(sample_name) if not github_repo else None
            settings = Settings(path=repo_path, config=config, target_name=name, branch=branch,
                                timeline_months=0, now=as_of, trust_repo_config=trust_repo_config,
                                forge_recording=recorded, **window, **github)
            bundle = collect(settings)
    except ConfigError as exc:
        raise UserError(str(exc)) from exc
    except (NotARepositoryError, UntrustedRepositoryError) as exc:
        raise UserError(str(exc)) from exc
    except (RepositoryError, SampleError) as exc:
        raise SourceUnreachable(str(exc)) from exc
    if bundle.history is None:
        reason = next((u.reason for u in bundle.unavailable if u.source.value == "history"), "no history")
        raise SourceUnreachable(f"no audit trail: {reason}")
    view = tree_view(bundle.git, view_options(config, settings.scope(), bundle)) if bundle.git else None
    if view is None:
        raise SourceUnreachable("no audit trail: the repository tree could not be read")
    records = derive(bundle.history, config, bundle.forge, view, periods_for(config, settings.scope(), bundle.history,
                                                                              as_of or datetime.now(UTC))).audit_trail
    gap = bundle.missing_forge()
    if gap is not None and not no_github:
        click.echo(inert.line(f"gitops-assess: approvals not confirmed: {TERMS[bundle.forge_tried()].name} not "
                              f"read: {gap.reason} "
                              f"(fix: {gap.fix})"), err=True)
    drawn: Sample | None = None
    if sample_size is not None:
        drawn = draw_sample(records, sample_size, seed if seed is not None else secrets.randbelow(2**31))
        click.echo(f"gitops-assess: sample of {len(drawn.records)} of a population of {drawn.population} changes, "
                   f"seed {drawn.seed} (draw it again with --sample-size {sample_size} --seed {drawn.seed})", err=True)
    text = audit_csv(drawn.records if drawn else records) if fmt == "csv" else audit_json(
        drawn.records if drawn else records, drawn)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Snapshot file to write (YAML, one List per cluster).")
@cluster_options
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
def snapshot(output: Path, kube_contexts: tuple[str, ...], all_contexts: bool, kubeconfig: str | None,
             quiet: bool) -> None:
    """Write a redacted cluster snapshot (no Secret data, managedFields kept) for offline scans."""
    from assess.collectors.cluster.live import ClusterUnreachableError, collect_cluster
    from assess.collectors.cluster.live import contexts as cluster_contexts
    err = Console(stderr=True, quiet=quiet)
    try:
        names, current = cluster_contexts(kubeconfig)
    except ClusterUnreachableError as exc:
        raise SourceUnreachable(str(exc)) from exc
    chosen = names if all_contexts else list(kube_contexts) or ([current] if current else [])
    if not chosen:
        raise UserError("the kubeconfig has no current context: name one with --kube-context")
    taken = []
    now = datetime.now(UTC)
    for name in chosen:
        with err.status(f"reading {name}"):
            try:
                taken.append(collect_cluster(kubeconfig, name, now))
            except ClusterUnreachableError as exc:
                raise SourceUnreachable(f"{name}: {exc}") from exc
    write_atomic(output, dump_snapshot(taken))
    for c in taken:
        refused = [a.resource for a in c.access if a.status.value in ("forbidden", "error")]
        partial = [f"{a.resource} ({a.message})" for a in c.access if a.status.value == "partial"]
        err.print(inert.line(f"{c.name}: {len(c.objects)} objects" + (f"; not permitted: {', '.join(refused)}"
                                                                      if refused else "")
                             + (f"; partially observed: {', '.join(partial)}" if partial else "")),
                  markup=False, highlight=False)


@cli.command("checks")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text", show_default=True,
              help="md: the check reference (docs/checks.md), with the anchors reports link to.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Show stages, gates, signals and failure modes as this policy file's maturity: key adapts them.")
def list_checks(fmt: str, config_path: str | None) -> None:
    """List every check with its stage, severity and what it feeds."""
    specs, model = _judged_specs(config_path)
    if fmt == "json":
        click.echo(json.dumps([s.to_json() for s in specs], indent=2))
        return
    if fmt == "md":
        from assess.reporters import check_reference

        click.echo(check_reference.render(specs, model if config_path else None), nl=False)
        return
    for s in specs:
        feeds = [*map(str, s.signals), *map(str, s.failure_modes)]
        stage = f"stage {s.stage}{'*' if s.gates_stage else ' '}" if s.stage else "        "
        click.echo(f"{s.id:38} {stage}  {s.severity.value:8} {s.title}"
                   + (f"  [{', '.join(feeds)}]" if feeds else ""))
    click.echo(f"\n{plural(len(specs), 'check')}; * = gates its stage"
               + (f" (model: {model.name}{', adapted by ' + config_path if model.adapted else ''})"
                  if config_path else ""), err=True)


def _judged_specs(config_path: str | None) -> tuple[list[CheckSpec], MaturityModel]:
    """The catalog's specs as the packaged model, or the one a policy file adapts, places them."""
    specs = [c.spec for c in load_catalog()]
    try:
        config = _config(config_path, None) if config_path else Config()
        model = maturity_model(config, specs)
    except (ConfigError, ModelError) as exc:
        raise UserError(str(exc)) from exc
    return gated(specs, model), model


@cli.command()
@click.argument("check_id")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Place the check as this policy file's maturity: key does.")
def explain(check_id: str, config_path: str | None) -> None:
    """Print a check's rationale and remediation."""
    specs, model = _judged_specs(config_path)
    s = next((spec for spec in specs if spec.id == check_id), None)
    if s is None:
        raise UserError(f"no check {check_id!r}; run `gitops-assess checks` for the list")
    click.echo(f"{s.id}: {s.title}\n")
    click.echo(f"Principle:   {s.principle.value}")
    stage = f"{s.stage} ({model.stage_names.get(s.stage, '')})" if s.stage else "-"
    click.echo(f"Stage:       {stage}{' (gates the stage)' if s.gates_stage else ''}")
    click.echo(f"Severity:    {s.severity.value}")
    if s.signals:
        click.echo(f"Signals:     {', '.join(map(str, s.signals))}")
    if s.failure_modes:
        click.echo(f"Failure modes: {', '.join(map(str, s.failure_modes))}")
    click.echo(f"\nWhy it matters:\n  {s.rationale}\n\nHow to fix it:\n  {s.remediation}")
    click.echo(f"\nReference: docs/checks.md{s.docs_anchor}")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the report."""
    click.echo(json.dumps(report_schema(), indent=2))


@cli.command("samples")
def samples_cmd() -> None:
    """List the bundled sample estates."""
    for s in list_samples():
        click.echo(f"{s.name:24} stage {s.stage}  {s.title}")


def internal_error_line(exc: BaseException) -> str:
    """The one line an unexpected failure prints (exit 4), with nothing from the input able to act."""
    return inert.line(f"gitops-assess: internal error: {type(exc).__name__}: {exc} (rerun with --debug)")


def main() -> None:
    """Console-script entry point: maps unexpected failures to exit code 4 without a traceback."""
    try:
        cli.main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("gitops-assess: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # last line of defence: one line, exit 4
        if "--debug" in sys.argv:
            raise
        click.echo(internal_error_line(exc), err=True)
        sys.exit(int(Exit.INTERNAL))
