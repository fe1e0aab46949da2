using System.Runtime.InteropServices;

namespace PolicyCompiler.Files;

/// <summary>
/// Replaces a file so that a crash at any instant leaves either the old or the new content,
/// never a torn mix: write a temporary file in the same directory, fsync it, rename it over
/// the target (atomic on POSIX), then fsync the directory so the rename itself is durable.
/// Here rather than in the gateway because vmm writes its sandbox records and CA bundles the same
/// way, and this is the project both reference.
/// </summary>
public static partial class AtomicFile
{
    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically and durably.</summary>
    public static void Write(string path, ReadOnlySpan<byte> content) => Write(path, content.ToArray(), static (stream, bytes) => stream.Write(bytes));

    /// <summary>
    /// Writes whatever <paramref name="write"/> produces to <paramref name="path"/> atomically and durably.
    /// With <paramref name="mode"/>, the file is created with that mode (less the umask) from its first
    /// instant, so a secret it holds is never readable by others, not even between create and chmod.
    /// </summary>
    /// <param name="path">The file to replace.</param>
    /// <param name="state">Passed to <paramref name="write"/> (no closure needed).</param>
    /// <param name="write">Writes the content to the temporary file.</param>
    /// <param name="mode">The mode to create the file with, or null for the default.</param>
    public static void Write<TState>(string path, TState state, Action<Stream, TState> write, UnixFileMode? mode = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 4096 };
            if (mode is { } created && !OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = created;
            }

            using (var stream = new FileStream(temp, options))
            {
                write(stream, state);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        SyncDirectory(directory);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    // .NET cannot open a directory as a stream; without this fsync a power cut can lose the rename.
    private static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        int fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            return;
        }

        try
        {
            _ = Fsync(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
