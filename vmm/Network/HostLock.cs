using System.Globalization;

namespace Vmm.Network;

/// <summary>
/// The host-wide lock vmm takes around what every sandbox of the host shares: handing out blocks,
/// and changing the nftables table (a removal that finds no sandbox chain left deletes the table,
/// which must not race a create adding its chains to it).
/// </summary>
internal static class HostLock
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    /// <summary>Takes the lock; disposing the stream releases it (and so does the kernel if this process dies).</summary>
    public static async Task<FileStream> AcquireAsync(CancellationToken cancellation)
    {
        Directory.CreateDirectory(BlockClaims.Directory);
        string path = Path.Combine(BlockClaims.Directory, "lock");
        long deadline = Environment.TickCount64 + (long)s_timeout.TotalMilliseconds;
        while (true)
        {
            try
            {
                // flock(2) through FileShare.None.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (Environment.TickCount64 < deadline)
            {
                await Task.Delay(20, cancellation).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new InvalidOperationException(
                    $"{path} stayed locked for {s_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s ({e.Message}); another vmm is stuck", e);
            }
        }
    }
}
