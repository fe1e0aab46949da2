using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;

namespace LoadDriver.Load;

/// <summary>
/// Bulk download through a route: each stream asks the origin's bulk port for an endless
/// stream of bytes and counts what arrives in the measured window. The driver does the bulk
/// transfer itself, so no iperf3 behind proxychains is needed and every peer sees the same client.
/// </summary>
internal static class BulkRunner
{
    /// <summary>Bytes each stream asks for: more than any bounded window can carry.</summary>
    public const long Unbounded = long.MaxValue / 4;

    private const int ReadSize = 256 * 1024;

    /// <summary>Runs <paramref name="streams"/> parallel downloads; <see cref="RunResult.Bytes"/> counts the window only.</summary>
    public static async Task<RunResult> RunAsync(Route route, string host, int streams, TimeSpan warmup, TimeSpan duration)
    {
        long measureFrom = Stopwatch.GetTimestamp() + LoadRunner.Ticks(warmup);
        long end = measureFrom + LoadRunner.Ticks(duration);
        var results = new RunResult[streams];
        var tasks = new Task[streams];
        for (int i = 0; i < streams; i++)
        {
            results[i] = new RunResult();
            tasks[i] = StreamAsync(results[i]);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        var total = new RunResult { Elapsed = Stopwatch.GetElapsedTime(measureFrom, end) };
        foreach (RunResult result in results)
        {
            total.Add(result);
        }

        return total;

        async Task StreamAsync(RunResult result)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
            using var timeout = new CancellationTokenSource(LoadRunner.Grace + warmup + duration);
            try
            {
                await using Stream stream = await TunnelDialer.OpenAsync(route, host, timeout.Token).ConfigureAwait(false);
                BinaryPrimitives.WriteInt64LittleEndian(buffer, Unbounded);
                await stream.WriteAsync(buffer.AsMemory(0, sizeof(long)), timeout.Token).ConfigureAwait(false);
                while (true)
                {
                    int read = await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
                    long now = Stopwatch.GetTimestamp();
                    if (read == 0)
                    {
                        result.AddError("io", "bulk stream closed early");
                        return;
                    }

                    if (now >= end)
                    {
                        result.Ok++;
                        return;
                    }

                    if (now >= measureFrom)
                    {
                        result.Bytes += read;
                    }
                }
            }
            catch (LoadException e)
            {
                result.AddError(e.Kind, e.Message);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or System.Net.Sockets.SocketException)
            {
                result.AddError("io", e.Message);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
