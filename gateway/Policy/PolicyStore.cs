using System.Diagnostics;
using System.Text.Json;
using PolicyCompiler.Files;

namespace Gateway.Policy;

/// <summary>
/// The policy state in the state directory (<c>policy.json</c>). Readers never lock: every
/// write is an atomic rename, so a reader sees the old or the new file, whole. Writers
/// serialise on <c>policy.lock</c> so two concurrent `gateway policy allow` calls both land.
/// </summary>
internal sealed class PolicyStore
{
    private const string FileName = "policy.json";
    private const string LockName = "policy.lock";
    private static readonly TimeSpan s_lockTimeout = TimeSpan.FromSeconds(30);

    public PolicyStore(string stateDirectory)
    {
        StateDirectory = stateDirectory;
        FilePath = Path.Combine(stateDirectory, FileName);
    }

    /// <summary>The state directory.</summary>
    public string StateDirectory { get; }

    /// <summary>The policy file.</summary>
    public string FilePath { get; }

    /// <summary>Reads the stored policy; an absent file is an empty store.</summary>
    public StoredPolicy Load()
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(FilePath);
        }
        catch (FileNotFoundException)
        {
            return StoredPolicy.Empty;
        }
        catch (DirectoryNotFoundException)
        {
            return StoredPolicy.Empty;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyStoreException($"cannot read {FilePath}: {e.Message}", e);
        }

        try
        {
            StoredPolicy? policy = JsonSerializer.Deserialize(bytes, PolicyStoreJsonContext.Default.StoredPolicy);
            if (policy is null || policy.Version != StoredPolicy.CurrentVersion)
            {
                throw new JsonException($"unsupported version {policy?.Version}");
            }

            return policy;
        }
        catch (JsonException e)
        {
            throw new PolicyStoreException(
                $"{FilePath} is not a valid policy store ({e.Message}); fix it by hand or start over with `gateway policy reset --force`", e);
        }
    }

    /// <summary>
    /// Reads, changes and writes the store under the writer lock. <paramref name="change"/>
    /// returns the new policy (or the same instance to write nothing) and a result.
    /// </summary>
    public T Update<T>(Func<StoredPolicy, (StoredPolicy Policy, T Result)> change)
    {
        using FileStream held = AcquireLock();
        RemoveOrphanedTemporaryFiles();
        StoredPolicy current = Load();
        (StoredPolicy next, T result) = change(current);
        if (!ReferenceEquals(next, current))
        {
            AtomicFile.Write(FilePath, next, static (stream, policy) =>
                JsonSerializer.Serialize(stream, policy, PolicyStoreJsonContext.Default.StoredPolicy));
        }

        return result;
    }

    /// <summary>Deletes the store: local rules, the chosen default and kit references. Returns what it held.</summary>
    public StoredPolicy Reset()
    {
        using FileStream held = AcquireLock();
        StoredPolicy deleted;
        try
        {
            deleted = Load();
        }
        catch (PolicyStoreException)
        {
            deleted = StoredPolicy.Empty; // a broken store is what reset is for
        }

        try
        {
            File.Delete(FilePath);
        }
        catch (DirectoryNotFoundException)
        {
        }

        return deleted;
    }

    // Writers hold the lock while their temporary file exists, so one found under the lock
    // was left by a writer that was killed mid-write.
    private void RemoveOrphanedTemporaryFiles()
    {
        foreach (string orphan in Directory.EnumerateFiles(StateDirectory, "." + FileName + ".*.tmp"))
        {
            try
            {
                File.Delete(orphan);
            }
            catch (IOException)
            {
            }
        }
    }

    private FileStream AcquireLock()
    {
        try
        {
            Directory.CreateDirectory(StateDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyStoreException($"cannot create state directory {StateDirectory}: {e.Message}; pick another with --state-dir or GATEWAY_STATE_DIR", e);
        }

        string path = Path.Combine(StateDirectory, LockName);
        long deadline = Stopwatch.GetTimestamp() + (long)(s_lockTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock (flock) on Unix.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new PolicyStoreException($"cannot write to {StateDirectory}: {e.Message}; run as the gateway's user or pick another --state-dir", e);
            }
            catch (IOException) when (Stopwatch.GetTimestamp() < deadline)
            {
                Thread.Sleep(20);
            }
            catch (IOException e)
            {
                throw new PolicyStoreException($"{path} stayed locked for {s_lockTimeout.TotalSeconds:0}s; another `gateway policy` command is still running", e);
            }
        }
    }
}
