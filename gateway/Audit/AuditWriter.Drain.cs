using System.Threading.Channels;

namespace Gateway.Audit;

/// <summary>The writer task: takes events off the queue, counts them, lets the refusal bucket decide which go to the file, writes summaries.</summary>
internal sealed partial class AuditWriter
{
    private async Task DrainAsync()
    {
        ChannelReader<AuditEvent> reader = _queue.Reader;
        _lastFlush = _lastSweep = _time.GetTimestamp();
        try
        {
            while (await WaitToReadAsync(reader).ConfigureAwait(false))
            {
                while (reader.TryRead(out AuditEvent e))
                {
                    // The aggregate counts every event, written or suppressed: policy log stays true.
                    Aggregate.Add(in e);
                    long now = _time.GetTimestamp();
                    if (!_limiter.Admit(in e, now, out AuditEvent summary, out bool hasSummary))
                    {
                        continue;
                    }

                    if (hasSummary)
                    {
                        await AppendAsync(summary).ConfigureAwait(false);
                    }

                    await AppendAsync(e).ConfigureAwait(false);
                    if (_time.GetElapsedTime(_lastSweep, now) >= s_sweepInterval)
                    {
                        await SweepAsync(now, all: false).ConfigureAwait(false);
                    }
                }

                // The queue is momentarily empty: due summaries go out, and nothing waits in memory while the daemon idles.
                await SweepAsync(_time.GetTimestamp(), all: false).ConfigureAwait(false);
                await FlushAsync(toDisk: _time.GetElapsedTime(_lastSync) >= _options.FlushInterval).ConfigureAwait(false);
                _lastFlush = _time.GetTimestamp();
            }

            await SweepAsync(_time.GetTimestamp(), all: true).ConfigureAwait(false);
            await FlushAsync(toDisk: true).ConfigureAwait(false);
        }
        finally
        {
            CloseFile();
            lock (_watchersLock)
            {
                _stopped = true;
                foreach (AuditSubscription watcher in _watchers)
                {
                    watcher.Complete();
                }

                _watchers = [];
            }
        }
    }

    // Waits for events; while a summary is pending, wakes after the summary interval so the
    // summary is written even if its sandbox (and everyone else) goes quiet.
    private async ValueTask<bool> WaitToReadAsync(ChannelReader<AuditEvent> reader)
    {
        if (!_limiter.HasPending)
        {
            return await reader.WaitToReadAsync().ConfigureAwait(false);
        }

        using var wake = new CancellationTokenSource(_options.SummaryInterval, _time);
        try
        {
            return await reader.WaitToReadAsync(wake.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (wake.IsCancellationRequested)
        {
            return true; // nothing queued: the loop sweeps and waits again
        }
    }

    private async ValueTask SweepAsync(long now, bool all)
    {
        _lastSweep = now;
        _limiter.Sweep(now, all, _summaries);
        if (_summaries.Count == 0)
        {
            return;
        }

        if (ShouldWarn(ref _lastSuppressWarning))
        {
            Log.EventsSuppressed(_logger, Suppressed, _summaries.Count);
        }

        foreach (AuditEvent summary in _summaries)
        {
            await AppendAsync(summary).ConfigureAwait(false);
        }

        _summaries.Clear();
    }

    // One line into the buffer (rotating first when it would take the file past its size), to the watchers, and out in batches.
    private async ValueTask AppendAsync(AuditEvent e)
    {
        int lineStart = Serialize(in e);
        if (_fileLength + _buffer.WrittenCount > _config.MaxFileSize && _fileLength + lineStart > 0)
        {
            await RotateAsync(lineStart, e.Time).ConfigureAwait(false);
        }

        Fanout(in e);
        if (_buffer.WrittenCount >= BatchBytes || _time.GetElapsedTime(_lastFlush) >= _options.FlushInterval)
        {
            await FlushAsync(toDisk: false).ConfigureAwait(false);
            _lastFlush = _time.GetTimestamp();
        }
    }
}
