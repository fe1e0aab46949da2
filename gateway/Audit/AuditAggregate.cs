namespace Gateway.Audit;

/// <summary>
/// The view <c>policy log</c> prints: events grouped by <see cref="AuditGroupKey"/> with first
/// seen, last seen and count. Bounded: past <see cref="MaxGroups"/> groups the least recently
/// seen group is evicted (and counted in <see cref="Evicted"/>), so a sandbox that walks through
/// millions of distinct hosts costs bounded memory; the audit file keeps every event.
/// Thread-safe: the audit writer task adds, the admin API and the CLI read snapshots.
/// </summary>
internal sealed class AuditAggregate
{
    /// <summary>The default bound on groups (roughly 300 bytes each: ~30 MB at the bound).</summary>
    public const int DefaultMaxGroups = 100_000;

    private readonly Dictionary<AuditGroupKey, AuditGroup> _groups = [];
    private readonly LinkedList<AuditGroup> _recency = new();
    private readonly Lock _lock = new();
    private long _evicted;

    /// <summary>Creates an empty aggregate holding at most <paramref name="maxGroups"/> groups.</summary>
    public AuditAggregate(int maxGroups = DefaultMaxGroups)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxGroups, 1);
        MaxGroups = maxGroups;
    }

    /// <summary>The most groups held at once.</summary>
    public int MaxGroups { get; }

    /// <summary>Groups held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _groups.Count;
            }
        }
    }

    /// <summary>Groups evicted to stay within <see cref="MaxGroups"/>.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>Counts <paramref name="e"/> in its group. Allocates only when the group is new.</summary>
    public void Add(in AuditEvent e)
    {
        var key = AuditGroupKey.Of(in e);
        lock (_lock)
        {
            if (_groups.TryGetValue(key, out AuditGroup? group))
            {
                _recency.Remove(group.Node!);
                _recency.AddLast(group.Node!);
            }
            else
            {
                if (_groups.Count >= MaxGroups)
                {
                    AuditGroup oldest = _recency.First!.Value;
                    _recency.RemoveFirst();
                    _groups.Remove(oldest.Key);
                    _evicted++;
                }

                group = new AuditGroup(key, in e);
                group.Node = _recency.AddLast(group);
                _groups.Add(key, group);
            }

            group.Add(in e);
        }
    }

    /// <summary>Every group as a row, most recently seen first.</summary>
    public List<AuditLogRow> Snapshot()
    {
        List<AuditLogRow> rows;
        lock (_lock)
        {
            rows = new List<AuditLogRow>(_groups.Count);
            foreach (AuditGroup group in _groups.Values)
            {
                rows.Add(group.ToRow());
            }
        }

        rows.Sort(static (a, b) =>
        {
            int byTime = b.LastSeen.CompareTo(a.LastSeen);
            return byTime != 0 ? byTime : string.CompareOrdinal(a.Host, b.Host);
        });
        return rows;
    }
}
