using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Gateway.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Audit;

/// <summary>
/// Appends every decision to the audit file (JSON Lines, size-rotated), keeps the aggregated
/// view of <c>policy log</c>, and feeds <c>--follow</c> watchers. The data path only enqueues:
/// one background task owns the file, the JSON writer and its buffer, so writing an event
/// allocates nothing beyond the event's own strings. A full queue makes
/// <see cref="WriteAsync"/> wait (back-pressure, up to <see cref="AuditWriterOptions.FullWait"/>)
/// before an event is dropped, and every drop is counted in <see cref="Dropped"/>
/// (<c>gateway_audit_dropped_total</c>): none is ever lost silently. Refusals and DNS queries past
/// a sandbox's rate become one summary line per sandbox (<see cref="AuditRefusalLimiter"/>,
/// <see cref="Suppressed"/>), so one sandbox cannot rotate the others' events away; what rotation
/// does delete is counted (<see cref="RotatedEvents"/>, <see cref="Retention"/>). Stopping writes
/// pending summaries, drains the queue and fsyncs, so what was decided before SIGTERM is on disk afterwards.
/// </summary>
internal sealed partial class AuditWriter : IAuditSource, IHostedService, IAsyncDisposable
{
    // Events are serialised into one buffer and written in batches of about this size.
    private const int BatchBytes = 64 * 1024;
    private static readonly TimeSpan s_warningInterval = TimeSpan.FromSeconds(10);

    // While events keep coming, due refusal summaries are looked for at most this often.
    private static readonly TimeSpan s_sweepInterval = TimeSpan.FromSeconds(1);

    private readonly AuditConfig _config;
    private readonly AuditWriterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<AuditEvent> _queue;
    private readonly ArrayBufferWriter<byte> _buffer = new(BatchBytes * 2);
    private readonly Utf8JsonWriter _json;
    private readonly Lock _watchersLock = new();
    private readonly Task _drain;
    private readonly AuditRefusalLimiter _limiter;
    private readonly AuditGenerations _generations;
    private readonly List<AuditEvent> _summaries = [];
    private AuditSubscription[] _watchers = [];
    private bool _stopped;
    private Stream? _stream;
    private long _fileLength;
    private int _pendingEvents;
    private long _lastSync;
    private long _written;
    private long _dropped;
    private long _waited;
    private long _lastPressureWarning;
    private long _lastDropWarning;
    private long _lastSuppressWarning;
    private long _lastFlush;
    private long _lastSweep;
    private DateTimeOffset _bufferFirst;
    private long _rotatedEvents;
    private long _retentionMs = -1;

    /// <summary>Starts the writer task; events may be written at once.</summary>
    /// <param name="config">The audit file, its rotation size and how many rotated files to keep.</param>
    /// <param name="time">Clock for flush intervals and the full-queue wait.</param>
    /// <param name="logger">Receives queue-pressure warnings and write errors.</param>
    /// <param name="options">Runtime knobs; the defaults otherwise.</param>
    public AuditWriter(AuditConfig config, TimeProvider time, ILogger<AuditWriter>? logger = null, AuditWriterOptions? options = null)
    {
        _config = config;
        _options = options ?? new AuditWriterOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.WatcherCapacity, 1);
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _queue = Channel.CreateBounded<AuditEvent>(new BoundedChannelOptions(_options.Capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
        _json = new Utf8JsonWriter(_buffer, AuditEventJson.WriterOptions);
        Aggregate = new AuditAggregate(config.LogRows, config.LogRowsPerSandbox);
        _limiter = new AuditRefusalLimiter(config.RefusalsPerSecond, config.RefusalBurst, _options.SummaryInterval, time.TimestampFrequency);
        _generations = new AuditGenerations(config.Keep);
        _lastSync = time.GetTimestamp();
        _drain = Task.Run(DrainAsync);
    }

    /// <summary>The grouped view of every event this writer took (bounded; see <see cref="AuditAggregate"/>).</summary>
    public AuditAggregate Aggregate { get; }

    /// <summary>Events dropped: the queue stayed full past the bound, the writer had stopped, the caller cancelled, or the file could not be written.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events waiting for the writer task (<c>gateway_audit_queue_depth</c>).</summary>
    public int QueueDepth => _queue.Reader.Count;

    /// <summary>
    /// Refusals and DNS queries past their sandbox's rate, kept out of the file and counted in a
    /// summary line instead (<c>gateway_audit_suppressed_total</c>); the aggregate counts them all.
    /// </summary>
    public long Suppressed => _limiter.Suppressed;

    /// <summary>Events in the files rotation deleted since start (<c>gateway_audit_rotated_events_total</c>).</summary>
    public long RotatedEvents => Interlocked.Read(ref _rotatedEvents);

    /// <summary>
    /// How long the events the last rotation deleted had been kept: from the first of them being
    /// decided to its file being deleted (<c>gateway_audit_retention_seconds</c>); null before any deletion.
    /// </summary>
    public TimeSpan? Retention => Interlocked.Read(ref _retentionMs) is >= 0 and long ms ? TimeSpan.FromMilliseconds(ms) : null;

    /// <summary>Events that found the queue full and had to wait (back-pressure episodes).</summary>
    public long Waited => Interlocked.Read(ref _waited);

    /// <summary>Events written to the file.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary><c>--follow</c> watchers attached now.</summary>
    public int WatcherCount => Volatile.Read(ref _watchers).Length;

    /// <summary>
    /// Queues <paramref name="e"/>. Completes synchronously unless the queue is full; then waits
    /// for room up to <see cref="AuditWriterOptions.FullWait"/>, and only then drops and counts
    /// the event. Never throws: cancelling <paramref name="cancellation"/> ends the wait and
    /// counts the event as dropped, as does writing after <see cref="StopAsync"/>.
    /// </summary>
    public ValueTask WriteAsync(in AuditEvent e, CancellationToken cancellation = default) =>
        _queue.Writer.TryWrite(e) ? ValueTask.CompletedTask : WaitAndWriteAsync(e, cancellation);

    /// <summary>Attaches a watcher that sees every event taken from now on (until disposed or the writer stops).</summary>
    public AuditSubscription Subscribe()
    {
        var subscription = new AuditSubscription(_options.WatcherCapacity, Unsubscribe);
        lock (_watchersLock)
        {
            if (_stopped)
            {
                subscription.Complete();
            }
            else
            {
                _watchers = [.. _watchers, subscription];
            }
        }

        return subscription;
    }

    /// <summary>Events from the first <c>MoveNextAsync</c> on; a slow reader loses events rather than slowing anything.</summary>
    public async IAsyncEnumerable<AuditEvent> Watch([EnumeratorCancellation] CancellationToken cancellation = default)
    {
        using AuditSubscription subscription = Subscribe();
        await foreach (AuditEvent e in subscription.Events.ReadAllAsync(cancellation).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<AuditLogRow>> ReadAggregateAsync(CancellationToken cancellation) =>
        ValueTask.FromResult<IReadOnlyList<AuditLogRow>>(Aggregate.Snapshot());

    /// <inheritdoc/>
    public IAsyncEnumerable<AuditEvent> FollowAsync(CancellationToken cancellation) => Watch(cancellation);

    /// <summary>Nothing to do: the writer runs from construction, so events decided during start-up are kept.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Takes no more events, writes every queued one, fsyncs and closes the file. Returns early
    /// only if <paramref name="cancellationToken"/> (the host's shutdown timeout) fires first.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        return _drain.WaitAsync(cancellationToken);
    }

    /// <summary>As <see cref="StopAsync"/>, waiting as long as it takes.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _drain.ConfigureAwait(false);
        await _json.DisposeAsync().ConfigureAwait(false);
    }

    private async ValueTask WaitAndWriteAsync(AuditEvent e, CancellationToken cancellation)
    {
        Interlocked.Increment(ref _waited);
        if (ShouldWarn(ref _lastPressureWarning))
        {
            Log.QueueFull(_logger, _options.Capacity, _options.FullWait.TotalSeconds);
        }

        using var timeout = new CancellationTokenSource(_options.FullWait, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellation);
        try
        {
            // WriteAsync queues waiting writers in order, so the oldest decision gets room first.
            await _queue.Writer.WriteAsync(e, linked.Token).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
        }
        catch (ChannelClosedException)
        {
        }

        long dropped = Interlocked.Increment(ref _dropped);
        if (ShouldWarn(ref _lastDropWarning))
        {
            Log.EventsDropped(_logger, dropped, _options.FullWait.TotalSeconds);
        }
    }

    // Appends one line to the buffer; returns where it starts.
    private int Serialize(in AuditEvent e)
    {
        int lineStart = _buffer.WrittenCount;
        if (_pendingEvents == 0)
        {
            _bufferFirst = e.Time;
        }

        _json.Reset(_buffer);
        AuditEventJson.Write(_json, in e);
        _json.Flush();
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
        _pendingEvents++;
        return lineStart;
    }

    private void Fanout(in AuditEvent e)
    {
        foreach (AuditSubscription watcher in Volatile.Read(ref _watchers))
        {
            watcher.Offer(in e);
        }
    }

    private void Unsubscribe(AuditSubscription subscription)
    {
        lock (_watchersLock)
        {
            int index = Array.IndexOf(_watchers, subscription);
            if (index >= 0)
            {
                _watchers = [.. _watchers.AsSpan(0, index), .. _watchers.AsSpan(index + 1)];
            }
        }
    }

    private bool ShouldWarn(ref long last)
    {
        long seen = Interlocked.Read(ref last);
        long now = _time.GetTimestamp();
        return (seen == 0 || _time.GetElapsedTime(seen, now) >= s_warningInterval)
            && Interlocked.CompareExchange(ref last, now, seen) == seen;
    }
}
