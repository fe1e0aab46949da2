namespace LoadDriver.Load;

/// <summary>
/// Many tunnels held open and silent after one verified request each, for measuring what an
/// idle tunnel costs a proxy; closed together by <see cref="DisposeAsync"/>.
/// </summary>
internal sealed class IdleTunnels : IAsyncDisposable
{
    private readonly List<RequestWorker> _open = [];

    /// <summary>Tunnels open and verified.</summary>
    public int Count => _open.Count;

    /// <summary>Failures while opening.</summary>
    public RunResult Failures { get; } = new();

    /// <summary>Opens <paramref name="count"/> tunnels, <paramref name="parallel"/> at a time, stopping at <paramref name="timeLimit"/>.</summary>
    public static async Task<IdleTunnels> OpenAsync(LoadSpec spec, int count, int parallel, TimeSpan timeLimit)
    {
        var tunnels = new IdleTunnels();
        var verifier = new ResponseVerifier(spec.BodySize, spec.ExpectHeader);
        using var stop = new CancellationTokenSource(timeLimit);
        int next = -1;
        var tasks = new Task[parallel];
        for (int i = 0; i < parallel; i++)
        {
            tasks[i] = OpenSomeAsync();
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        return tunnels;

        async Task OpenSomeAsync()
        {
            await Task.Yield();
            while (!stop.IsCancellationRequested)
            {
                int index = Interlocked.Increment(ref next);
                if (index >= count)
                {
                    return;
                }

                var worker = new RequestWorker(spec, verifier);
                if (await worker.RunAsync(index, record: true).ConfigureAwait(false))
                {
                    lock (tunnels._open)
                    {
                        tunnels._open.Add(worker);
                    }
                }
                else
                {
                    lock (tunnels._open)
                    {
                        tunnels.Failures.Add(worker.Result);
                    }

                    await worker.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (RequestWorker worker in _open)
        {
            await worker.DisposeAsync().ConfigureAwait(false);
        }

        _open.Clear();
    }
}
