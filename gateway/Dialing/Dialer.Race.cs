using System.Net;

namespace Gateway.Dialing;

internal sealed partial class Dialer
{
    /// <summary>RFC 8305 §5 "Connection Attempt Delay": the next address is tried after this, or at once on a failure.</summary>
    public static readonly TimeSpan AttemptDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// One admitted address (an IP literal, a <c>resolve.hosts</c> entry, a single DNS answer: the
    /// common case) has nothing to race: one attempt bounded by the deadline, without the race's
    /// linked source, attempt lists, delay timers and <see cref="Task.WhenAny(IEnumerable{Task})"/>
    /// per dial (perf S3/S5: CPU per new connection).
    /// </summary>
    private async ValueTask<DialResult> ConnectOneAsync(
        IPEndPoint endPoint, CancellationToken deadline, CancellationToken callerToken, long started)
    {
        ConnectAttempt attempt = ConnectAttempt.Start(endPoint, _connect, deadline);
        EgressError outcome;
        try
        {
            // WaitAsync wakes at the deadline even if a connect ignores its token.
            outcome = await attempt.Outcome.WaitAsync(deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            outcome = EgressError.Timeout;
        }

        long ticks;
        if (outcome == EgressError.None)
        {
            ticks = _timeProvider.GetTimestamp() - started;
            return new DialResult { Socket = attempt.DetachSocket(), RemoteEndPoint = endPoint, ConnectTicks = ticks };
        }

        // Closing the socket ends a connect still in flight; awaited so that it never outlives the dial.
        attempt.Dispose();
        await attempt.Outcome.ConfigureAwait(false);
        ticks = _timeProvider.GetTimestamp() - started;
        callerToken.ThrowIfCancellationRequested();
        return new DialResult { Error = deadline.IsCancellationRequested ? EgressError.Timeout : outcome, ConnectTicks = ticks };
    }

    /// <summary>
    /// Connects to the first of <paramref name="endPoints"/> that answers: the next attempt
    /// starts <see cref="AttemptDelay"/> after the previous one, or as soon as an attempt
    /// fails, while earlier attempts keep running. The first success wins; every other
    /// attempt is cancelled and its socket closed before this returns.
    /// </summary>
    private async ValueTask<DialResult> RaceAsync(
        List<IPEndPoint> endPoints, CancellationToken deadline, CancellationToken callerToken, long started)
    {
        using var race = CancellationTokenSource.CreateLinkedTokenSource(deadline);
        var attempts = new List<ConnectAttempt>(endPoints.Count);
        var waitOn = new List<Task>(endPoints.Count + 2);
        ConnectAttempt? winner = null;
        EgressError failure = EgressError.Unreachable;
        bool refused = false;
        int next = 0;
        try
        {
            // Wakes the wait below at the deadline even if a connect ignores its token.
            Task expired = Task.Delay(Timeout.InfiniteTimeSpan, _timeProvider, deadline);
            Task? delay = StartNext();
            while (!deadline.IsCancellationRequested)
            {
                bool failed = Harvest(attempts, ref refused, ref failure, out winner);
                if (winner is not null)
                {
                    break;
                }

                // Keyed on Harvested, not IsCompleted: an attempt that completes after Harvest
                // looked is still waited on (at once), so it is harvested next time round rather
                // than dropped with the race ending as "unreachable" and its socket closed.
                waitOn.Clear();
                foreach (ConnectAttempt attempt in attempts)
                {
                    if (!attempt.Harvested)
                    {
                        waitOn.Add(attempt.Outcome);
                    }
                }

                if (next < endPoints.Count && (failed || waitOn.Count == 0 || delay is { IsCompletedSuccessfully: true }))
                {
                    delay = StartNext();
                    continue;
                }

                if (waitOn.Count == 0)
                {
                    break;
                }

                if (delay is not null && next < endPoints.Count)
                {
                    waitOn.Add(delay);
                }

                waitOn.Add(expired);

                await Task.WhenAny(waitOn).ConfigureAwait(false);
            }
        }
        finally
        {
            await race.CancelAsync().ConfigureAwait(false);
            foreach (ConnectAttempt attempt in attempts)
            {
                if (attempt != winner)
                {
                    attempt.Dispose();
                }
            }

            foreach (ConnectAttempt attempt in attempts)
            {
                // Never faults; awaited so that no loser outlives the dial.
                await attempt.Outcome.ConfigureAwait(false);
            }
        }

        long ticks = _timeProvider.GetTimestamp() - started;
        if (winner is not null)
        {
            return new DialResult { Socket = winner.DetachSocket(), RemoteEndPoint = winner.EndPoint, ConnectTicks = ticks };
        }

        callerToken.ThrowIfCancellationRequested();
        EgressError error = deadline.IsCancellationRequested ? EgressError.Timeout
            : refused ? EgressError.ConnectionRefused
            : failure;
        return new DialResult { Error = error, ConnectTicks = ticks };

        Task? StartNext()
        {
            attempts.Add(ConnectAttempt.Start(endPoints[next++], _connect, race.Token));
            return next < endPoints.Count ? Task.Delay(AttemptDelay, _timeProvider, race.Token) : null;
        }
    }

    /// <summary>
    /// Collects the attempts that finished since the last call: the first success is the
    /// <paramref name="winner"/>; failures are noted. True when a new failure was seen.
    /// </summary>
    private static bool Harvest(List<ConnectAttempt> attempts, ref bool refused, ref EgressError failure, out ConnectAttempt? winner)
    {
        winner = null;
        bool failed = false;
        foreach (ConnectAttempt attempt in attempts)
        {
            if (attempt.Harvested || !attempt.Outcome.IsCompleted)
            {
                continue;
            }

            attempt.Harvested = true;
            EgressError outcome = attempt.Outcome.Result; // completed: no blocking
            if (outcome == EgressError.None)
            {
                winner = attempt;
                return failed;
            }

            // A reset says the host is there and said no: worth telling apart from no route.
            refused |= outcome == EgressError.ConnectionRefused;
            failure = outcome;
            failed = true;
        }

        return failed;
    }
}
