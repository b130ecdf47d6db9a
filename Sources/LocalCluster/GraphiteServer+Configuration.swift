import Foundation

/// The files and environment of a ``GraphiteServer``: everything under one folder, every port chosen by the
/// caller, nothing read from `/etc/carbon` or `/etc/graphite`.
extension GraphiteServer {
    /// The Python that has Debian's carbon, graphite-web and Django: not the `python3` on `PATH`, which may
    /// be a pyenv or a virtual environment without them.
    static let python = "/usr/bin/python3"
    static let carbonCache = "/usr/bin/carbon-cache"
    static let djangoAdmin = "/usr/bin/django-admin"
    /// Python code that runs the script `argv[1]` as `__main__` with the rest as its arguments (and its folder
    /// first on `sys.path`, as `python3 script` has it), after unblocking every signal. A child inherits the signal mask of the thread that starts it, and the threads of a Swift
    /// program's concurrency pool block SIGTERM (carbon and graphite-web were seen with it blocked); Go
    /// programs such as Prometheus unblock it, Python does not, so ``ProcessGroup``'s SIGTERM would do nothing
    /// and every stop would wait for its SIGKILL.
    static let runUnblocked = """
        import os, runpy, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); sys.argv = sys.argv[1:]; \
        sys.path[0] = os.path.dirname(sys.argv[0]); runpy.run_path(sys.argv[0], run_name='__main__')
        """

    /// The module that overrides graphite-web's settings (`GRAPHITE_SETTINGS_MODULE`), in `<folder>/pylib`.
    static let settingsModule = "serin_graphite_settings"

    /// The ports of one instance: carbon's plaintext receiver, carbon's cache query port (carbonlink), and
    /// graphite-web's HTTP port.
    struct Ports: Sendable {
        var line: Int
        var query: Int
        var web: Int
    }

    /// Writes the configuration under `folder` and makes the folders carbon and graphite-web write to.
    static func writeConfiguration(in folder: String, ports: Ports) throws {
        for path in ["conf", "pylib", "run", "tmp", "storage/whisper", "storage/lists", "storage/log/carbon", "storage/log/webapp"] {
            try FileManager.default.createDirectory(atPath: "\(folder)/\(path)", withIntermediateDirectories: true)
        }
        try carbonConfiguration(folder, ports).write(toFile: "\(folder)/conf/carbon.conf", atomically: true, encoding: .utf8)
        try storageSchemas.write(toFile: "\(folder)/conf/storage-schemas.conf", atomically: true, encoding: .utf8)
        try webSettings(folder, ports).write(toFile: "\(folder)/pylib/\(settingsModule).py", atomically: true, encoding: .utf8)
    }

    /// One point a second, kept an hour: a test that writes every second reads back exactly what it wrote
    /// (a coarser first archive would keep only the last point of each of its slots).
    static let storageSchemas = """
        [default]
        pattern = .*
        retentions = 1s:1h

        """

    /// carbon-cache on loopback: the plaintext receiver and carbonlink only (pickle, UDP and the rest off),
    /// no rate limits, no self-metrics, and no tags (with tags on, carbon posts every new series to
    /// `GRAPHITE_URL`, port 80 by default).
    static func carbonConfiguration(_ folder: String, _ ports: Ports) -> String {
        """
        [cache]
        STORAGE_DIR = \(folder)/storage
        LOCAL_DATA_DIR = \(folder)/storage/whisper
        WHITELISTS_DIR = \(folder)/storage/lists
        LOG_DIR = \(folder)/storage/log/carbon
        PID_DIR = \(folder)/run
        DATABASE = whisper
        ENABLE_LOGROTATION = False
        MAX_CACHE_SIZE = inf
        MAX_UPDATES_PER_SECOND = inf
        MAX_CREATES_PER_MINUTE = inf
        MIN_TIMESTAMP_RESOLUTION = 0
        LINE_RECEIVER_INTERFACE = 127.0.0.1
        LINE_RECEIVER_PORT = \(ports.line)
        ENABLE_UDP_LISTENER = False
        PICKLE_RECEIVER_INTERFACE = 127.0.0.1
        PICKLE_RECEIVER_PORT = 0
        CACHE_QUERY_INTERFACE = 127.0.0.1
        CACHE_QUERY_PORT = \(ports.query)
        USE_FLOW_CONTROL = True
        USE_WHITELIST = False
        LOG_UPDATES = False
        LOG_CREATES = True
        LOG_CACHE_HITS = False
        LOG_CACHE_QUEUE_SORTS = False
        LOG_LISTENER_CONN_SUCCESS = False
        CACHE_WRITE_STRATEGY = sorted
        WHISPER_AUTOFLUSH = False
        WHISPER_FALLOCATE_CREATE = False
        CARBON_METRIC_INTERVAL = 0
        ENABLE_TAGS = False
        GRAPHITE_URL = http://127.0.0.1:\(ports.web)

        """
    }

    /// graphite-web's overrides: a plain module of assignments (graphite's settings import it by name and
    /// take its globals). `CARBONLINK_HOSTS` makes points carbon has not written to disk yet readable at once;
    /// without the worker pool, graphite-web makes no semaphores in `/dev/shm`.
    static func webSettings(_ folder: String, _ ports: Ports) -> String {
        let path = { (relative: String) in "'\(folder)/\(relative)'" }
        return """
            SECRET_KEY = 'serin-graphite-test-only'
            DEBUG = False
            ALLOWED_HOSTS = ['*']
            TIME_ZONE = 'UTC'
            DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'
            LOG_ROTATION = False
            LOG_RENDERING_PERFORMANCE = False
            LOG_CACHE_PERFORMANCE = False
            LOG_INFO_PERFORMANCE = False
            DEFAULT_XFILES_FACTOR = 0
            GRAPHITE_ROOT = '/usr/share/graphite-web'
            STATIC_ROOT = '/usr/share/graphite-web/static'
            CONF_DIR = \(path("conf"))
            STORAGE_DIR = \(path("storage"))
            WHISPER_DIR = \(path("storage/whisper"))
            CERES_DIR = \(path("storage/ceres"))
            RRD_DIR = \(path("storage/rrd"))
            STANDARD_DIRS = [\(path("storage/whisper"))]
            LOG_DIR = \(path("storage/log/webapp"))
            INDEX_FILE = \(path("storage/index"))
            WHITELIST_FILE = \(path("storage/lists/whitelist"))
            DATABASES = {'default': {'NAME': \(path("storage/graphite.db")), 'ENGINE': 'django.db.backends.sqlite3',
                                     'USER': '', 'PASSWORD': '', 'HOST': '', 'PORT': ''}}
            CARBONLINK_HOSTS = ['127.0.0.1:\(ports.query):a']
            CARBONLINK_TIMEOUT = 1.0
            CARBONLINK_RETRY_DELAY = 1
            FUNCTION_PLUGINS = []
            USE_WORKER_POOL = False

            """
    }

    /// The variables both programs run with, on top of this process's: the system Python's own modules plus
    /// the settings module, no bytecode written, and temporary files (cairocffi runs `gcc` to find libraries)
    /// under `folder`. An empty `PYTHONHOME` counts as unset.
    static func environment(_ folder: String) -> [String: String] {
        [
            "PYTHONHOME": "", "PYTHONPATH": "\(folder)/pylib", "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1", "GRAPHITE_SETTINGS_MODULE": settingsModule, "DJANGO_SETTINGS_MODULE": "graphite.settings",
            "GRAPHITE_ROOT": folder, "GRAPHITE_CONF_DIR": "\(folder)/conf", "GRAPHITE_STORAGE_DIR": "\(folder)/storage",
            "TMPDIR": "\(folder)/tmp",
        ]
    }
}
