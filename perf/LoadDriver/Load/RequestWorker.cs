namespace LoadDriver.Load;

/// <summary>
/// One concurrent client of a run: its connection (kept between requests unless the spec asks
/// for a tunnel per request), its buffer and its own counts, merged when the run ends.
/// </summary>
internal sealed class RequestWorker : IAsyncDisposable
{
    private readonly LoadSpec _spec;
    private readonly HttpExchange _exchange;
    private CancellationTokenSource _timeout = new();
    private Stream? _stream;

    public RequestWorker(LoadSpec spec, ResponseVerifier verifier)
    {
        _spec = spec;
        Route route = spec.Route;
        _exchange = new HttpExchange(verifier, route.Kind == RouteKind.Direct ? route.Connect.Port : route.TargetPort, route.Tls);
    }

    /// <summary>This worker's counts.</summary>
    public RunResult Result { get; } = new();

    /// <summary>
    /// Runs request <paramref name="index"/>; true when verified. When <paramref name="record"/>
    /// is false (warm-up) nothing is counted.
    /// </summary>
    public async Task<bool> RunAsync(long index, bool record)
    {
        string host = _spec.Hosts.HostFor(index);
        if (!_timeout.TryReset())
        {
            // It fired while the worker sat between requests: harmless, but it cannot be re-armed.
            _timeout.Dispose();
            _timeout = new CancellationTokenSource();
        }

        _timeout.CancelAfter(_spec.RequestTimeout);
        try
        {
            _stream ??= await TunnelDialer.OpenAsync(_spec.Route, host, _timeout.Token).ConfigureAwait(false);
            await _exchange.RoundTripAsync(_stream, host, _timeout.Token).ConfigureAwait(false);
            if (_spec.TunnelPerRequest)
            {
                await DropAsync().ConfigureAwait(false);
            }

            return true;
        }
        catch (LoadException e)
        {
            Fail(record, e.Kind, e.Message);
        }
        catch (OperationCanceledException)
        {
            Fail(record, "timeout", "request timed out");
        }
        catch (IOException e)
        {
            Fail(record, "io", e.Message);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            Fail(record, "io", e.Message);
        }

        await DropAsync().ConfigureAwait(false);
        return false;
    }

    /// <summary>Opens the worker's connection ahead of time (long-lived tunnels, warm-up).</summary>
    public async Task OpenAsync(long index)
    {
        _timeout.CancelAfter(_spec.RequestTimeout);
        _stream ??= await TunnelDialer.OpenAsync(_spec.Route, _spec.Hosts.HostFor(index), _timeout.Token).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DropAsync().ConfigureAwait(false);
        _exchange.Dispose();
        _timeout.Dispose();
    }

    private void Fail(bool record, string kind, string message)
    {
        if (record)
        {
            Result.AddError(kind, message);
        }
    }

    private async Task DropAsync()
    {
        if (_stream is { } stream)
        {
            _stream = null;
            try
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
                // A TLS close_notify to a peer that already went away: nothing to keep.
            }
        }
    }
}
