using Gateway.Configuration;
using Gateway.Interception;
using Microsoft.Extensions.Logging;
using PolicyCompiler.Compilation;
using PolicyCompiler.Kits;

namespace Gateway.Policy;

/// <summary>
/// The snapshot every new connection decides against. A change compiles a new snapshot
/// off to the side and swaps one reference, so connections never see a half-built policy;
/// a bad reload keeps the last good snapshot, logs why and counts it. A rule that expires
/// (<c>--for</c>) is dropped by a recompile at its expiry, scheduled on the injected clock: no
/// reload command is needed, and the lookup never reads a clock.
/// </summary>
internal sealed partial class LivePolicy : IDisposable
{
    private readonly PolicySources _sources;
    private readonly ILogger<LivePolicy> _logger;
    private readonly Lock _reloadLock = new();
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly Timer _debounce;
    private static readonly TimeSpan s_expiryRetry = TimeSpan.FromSeconds(5);
    private readonly ITimer _expiry;
    private PolicyGeneration _current;
    private long _reloads;
    private long _failedReloads;

    private LivePolicy(PolicySources sources, PolicyGeneration initial, ILogger<LivePolicy> logger)
    {
        _sources = sources;
        _current = initial;
        _logger = logger;
        _debounce = new Timer(static s => ((LivePolicy)s!).Reload([]), this, Timeout.Infinite, Timeout.Infinite);
        _expiry = sources.Time.CreateTimer(static s => ((LivePolicy)s!).Expire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        ScheduleExpiry(initial.Snapshot);
        Directory.CreateDirectory(sources.Config.StateDir);
        Watch(sources.Config.StateDir, "policy.json", subdirectories: false);
        foreach ((string directory, string filter, bool recursive) in KitDirectories(sources.Config.Kits))
        {
            Watch(directory, filter, recursive);
        }
    }

    /// <summary>The state directory's rules.</summary>
    public PolicyStore Store => _sources.Store;

    /// <summary>What the policy is compiled from.</summary>
    public PolicySources Sources => _sources;

    /// <summary>The snapshot new connections use.</summary>
    public PolicySnapshot Current => Volatile.Read(ref _current).Snapshot;

    /// <summary>The snapshot and interception table new connections use, read together.</summary>
    public PolicyGeneration Generation => Volatile.Read(ref _current);

    /// <summary>Successful reloads since start.</summary>
    public long Reloads => Interlocked.Read(ref _reloads);

    /// <summary>Reloads refused because the new policy was invalid.</summary>
    public long FailedReloads => Interlocked.Read(ref _failedReloads);

    /// <summary>Compiles the first snapshot; on any problem start-up stops with every one listed.</summary>
    public static LivePolicy? Create(GatewayConfig config, ILogger<LivePolicy> logger, List<string> errors, TimeProvider? time = null)
    {
        var sources = new PolicySources(config, time);
        PolicyGeneration? generation = TryCompile(sources, errors);
        return generation is null ? null : new LivePolicy(sources, generation, logger);
    }

    /// <summary>
    /// Writes the store with <paramref name="write"/> and recompiles, under the lock every reload
    /// takes, so no other reload interleaves and the next decision sees the change. A policy that
    /// does not compile keeps the last good snapshot: the write stays, and the caller is told.
    /// </summary>
    public T Edit<T>(Func<PolicyStore, T> write)
    {
        lock (_reloadLock)
        {
            T result = write(_sources.Store);
            var errors = new List<string>();
            if (!ReloadLocked(errors))
            {
                throw new PolicyEditException(
                    ["the change is saved, but the running gateway refused the new policy and keeps the previous one: " + string.Join("; ", errors)],
                    PolicyEditFailure.NotLive);
            }

            return result;
        }
    }

    /// <summary>Recompiles from the state directory and kits now; returns false and keeps the old snapshot on errors.</summary>
    public bool Reload(List<string> errors)
    {
        lock (_reloadLock)
        {
            return ReloadLocked(errors);
        }
    }

    private bool ReloadLocked(List<string> errors)
    {
        PolicyGeneration? generation = TryCompile(_sources, errors);
        if (generation is null)
        {
            Interlocked.Increment(ref _failedReloads);
            Log.ReloadRefused(_logger, string.Join("; ", errors));
            return false;
        }

        Volatile.Write(ref _current, generation);
        Interlocked.Increment(ref _reloads);
        Log.Reloaded(_logger, generation.Snapshot.Rules.Count, generation.Snapshot.Kits.Length);
        ScheduleExpiry(generation.Snapshot);
        return true;
    }

    // The next recompile falls due when the earliest rule of the snapshot expires. A timer that
    // fires a little early compiles the rule in again and schedules itself once more.
    private void ScheduleExpiry(PolicySnapshot snapshot)
    {
        if (snapshot.NextExpiry is not { } expires)
        {
            _expiry.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        TimeSpan due = expires - _sources.Time.GetUtcNow();
        _expiry.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    // At an expiry: the rule leaves the store (so `policy ls` and a restart agree) and the snapshot.
    private void Expire()
    {
        try
        {
            DateTimeOffset now = _sources.Time.GetUtcNow();
            _sources.Store.Update(policy => (LocalRules.WithoutExpired(policy, now), 0));
        }
        catch (PolicyStoreException e)
        {
            // The compile below leaves the rule out anyway; only the file keeps it a while longer.
            Log.PruneFailed(_logger, e.Message);
        }

        var errors = new List<string>();
        if (Reload(errors))
        {
            Log.RulesExpired(_logger);
        }
        else
        {
            // The last good snapshot still holds the expired rule: try again soon rather than never.
            _expiry.Change(s_expiryRetry, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        foreach (FileSystemWatcher watcher in _watchers)
        {
            watcher.Dispose();
        }

        _debounce.Dispose();
        _expiry.Dispose();
    }

    private static PolicyGeneration? TryCompile(PolicySources sources, List<string> errors)
    {
        try
        {
            StoredPolicy stored = sources.Store.Load();
            var kitErrors = new List<KitError>();
            List<KitSpec> kits = sources.LoadKits(stored, [], kitErrors);
            foreach (KitError error in kitErrors)
            {
                errors.Add(error.ToString());
            }

            if (kitErrors.Count != 0)
            {
                return null;
            }

            PolicySnapshot snapshot = sources.Compile(stored, kits);
            return new PolicyGeneration(snapshot, InterceptionTable.Build(snapshot, kits)) { KitBudgets = Sandboxes.KitBudgetTable.Build(kits) };
        }
        catch (Exception e) when (e is PolicyStoreException or ArgumentException)
        {
            errors.Add(e.Message);
            return null;
        }
    }

    // Edits made with the CLI while no admin connection was possible (or by hand), and edits
    // to kit files, reach the daemon: the watchers see them and a reload follows.
    private void Watch(string directory, string filter, bool subdirectories)
    {
        try
        {
            var watcher = new FileSystemWatcher(directory, filter)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
                IncludeSubdirectories = subdirectories,
            };
            watcher.Changed += OnChanged;
            watcher.Created += OnChanged;
            watcher.Renamed += OnChanged;
            watcher.Deleted += OnChanged;
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException or ArgumentException)
        {
            Log.WatchUnavailable(_logger, directory, e.Message);
        }
    }

    // An editor's save is several events (truncate, write, rename); one reload after they settle.
    private void OnChanged(object sender, FileSystemEventArgs e) => _debounce.Change(100, Timeout.Infinite);

    // A kit path is watched through its directory (editors replace files), for that file only: a
    // log or a temp file written beside it must not reload the policy. A glob is watched through
    // the directory before its first wildcard, recursively, for anything (new kit directories).
    private static List<(string Directory, string Filter, bool Recursive)> KitDirectories(IReadOnlyList<string> entries)
    {
        var directories = new List<(string, string, bool)>();
        foreach (string entry in entries)
        {
            int wildcard = entry.IndexOfAny(['*', '?', '[']);
            (string? directory, string filter) = wildcard >= 0 ? (Path.GetDirectoryName(entry[..wildcard]), "*")
                : Directory.Exists(entry) ? (entry, "spec.yaml")
                : (Path.GetDirectoryName(entry), Path.GetFileName(entry));
            if (!string.IsNullOrEmpty(directory) && filter.Length > 0 && !directories.Contains((directory, filter, wildcard >= 0)))
            {
                directories.Add((directory, filter, wildcard >= 0));
            }
        }

        return directories;
    }

    private static partial class Log
    {
        [LoggerMessage(1100, LogLevel.Information, "policy: reloaded, {Rules} rules, {Kits} kits")]
        public static partial void Reloaded(ILogger logger, int rules, int kits);

        [LoggerMessage(1101, LogLevel.Error, "policy: reload refused, keeping the last good policy: {Errors}")]
        public static partial void ReloadRefused(ILogger logger, string errors);

        [LoggerMessage(1103, LogLevel.Information, "policy: expiring rules reached their time and no longer decide")]
        public static partial void RulesExpired(ILogger logger);

        [LoggerMessage(1104, LogLevel.Warning, "policy: cannot drop expired rules from the store ({Reason}); they no longer decide")]
        public static partial void PruneFailed(ILogger logger, string reason);

        [LoggerMessage(1102, LogLevel.Warning, "policy: cannot watch {Directory} for changes ({Reason}); changes apply through the admin socket only")]
        public static partial void WatchUnavailable(ILogger logger, string directory, string reason);
    }
}
