// Native relay for Switchyard devices: a Node-API addon over libzmq.
//
// open() creates the device's sockets in a libzmq context of its own, applies
// options by libzmq option number, binds and connects, all on the calling
// thread, and throws on the first failure with the errno name, role and
// endpoint. start() moves the sockets to a relay thread that runs a zmq_poll
// loop until stop() or a TERMINATE on the ctrl socket. Counters are atomics
// that the JavaScript thread reads at any time. Pause, resume and stop travel
// over an inproc PAIR pair, so the relay thread never shares a socket.

#include <node_api.h>
#include <zmq.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

enum Role { kIn = 0, kOut = 1, kMon = 2, kCtrl = 3, kRoleCount = 4 };
const char* const kRoleNames[kRoleCount] = {"in", "out", "mon", "ctrl"};

// Counter slots, in the order counters() returns them. The first eight are
// also the STATISTICS reply, in the order zmq_proxy_steerable documents.
enum Counter {
  kInReceivedMessages,
  kInReceivedBytes,
  kInSentMessages,
  kInSentBytes,
  kOutReceivedMessages,
  kOutReceivedBytes,
  kOutSentMessages,
  kOutSentBytes,
  kMonitorSent,
  kMonitorDropped,
  kUnroutable,
  kCounterCount
};

// Events the relay thread reports to JavaScript.
enum Event { kEventPaused, kEventResumed, kEventLog, kEventDone };

// Option value encodings, matching the `kind` numbers relay-native.ts sends.
// kOptionSendMessage is no option: it sends the value as a message, which is
// how an XSUB socket subscribes (a 0x01 byte and the topic).
enum OptionKind { kOptionInt = 0, kOptionInt64 = 1, kOptionUint64 = 2, kOptionBytes = 3, kOptionSendMessage = 4 };

// Messages read from one socket per poll wake-up before the loop polls again,
// so one busy direction cannot starve the other. libzmq's own proxy reads up
// to 1000. A monitored device reads fewer, below the default high-water mark
// of 1000. The reason is that a PUB monitor learns how far its reader got
// only when the relay thread processes commands between bursts. On loopback
// a burst of 1000 lost more monitor copies than one of 256, at the same
// throughput.
constexpr int kBurst = 1000;
constexpr int kMonitoredBurst = 256;

const char* ErrnoName(int code) {
  switch (code) {
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EINVAL: return "EINVAL";
    case ENODEV: return "ENODEV";
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case EMFILE: return "EMFILE";
    case ENOMEM: return "ENOMEM";
    case EAGAIN: return "EAGAIN";
    case EINTR: return "EINTR";
    case EFAULT: return "EFAULT";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case ENOTSUP: return "ENOTSUP";
    case ENOTSOCK: return "ENOTSOCK";
    case ENOCOMPATPROTO: return "ENOCOMPATPROTO";
    case ETERM: return "ETERM";
    case EMTHREAD: return "EMTHREAD";
    case EFSM: return "EFSM";
    default: return "EUNKNOWN";
  }
}

struct LogEvent {
  Event event;
  std::string level;
  std::string message;
};

struct Relay {
  void* context = nullptr;
  void* sockets[kRoleCount] = {nullptr, nullptr, nullptr, nullptr};
  int ctrlType = -1;
  bool routerToRouter = false;
  std::string prefix[2];

  // The JavaScript thread sends commands on commandSender; the relay thread
  // reads them from commandReceiver.
  void* commandSender = nullptr;
  void* commandReceiver = nullptr;

  std::thread thread;
  bool started = false;
  bool joined = false;
  napi_threadsafe_function events = nullptr;

  std::atomic<uint64_t> counters[kCounterCount];

  Relay() {
    for (auto& counter : counters) counter.store(0, std::memory_order_relaxed);
  }
};

// One direction of the relay: messages read from `from` go to `to`.
struct Direction {
  void* from;
  void* to;
  Counter fromMessages, fromBytes, toMessages, toBytes;
  const std::string* prefix;
  // A message that `to` did not accept yet (EAGAIN on its first frame).
  std::vector<zmq_msg_t> pending;
  bool hasPending = false;
};

// The relay thread is the only writer of the counters, so a relaxed load and
// store is enough and avoids a locked add per message.
inline void Add(Relay* relay, Counter counter, uint64_t amount) {
  auto& slot = relay->counters[counter];
  slot.store(slot.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
}

void Emit(Relay* relay, Event event, const char* level = "", const std::string& message = "") {
  if (relay->events == nullptr) return;
  auto* payload = new LogEvent{event, level, message};
  if (napi_call_threadsafe_function(relay->events, payload, napi_tsfn_blocking) != napi_ok) delete payload;
}

// ---- JavaScript helpers -----------------------------------------------------

napi_value Undefined(napi_env env) {
  napi_value value;
  napi_get_undefined(env, &value);
  return value;
}

napi_value String(napi_env env, const std::string& text) {
  napi_value value;
  napi_create_string_utf8(env, text.data(), text.size(), &value);
  return value;
}

void SetString(napi_env env, napi_value object, const char* key, const std::string& text) {
  napi_set_named_property(env, object, key, String(env, text));
}

// Throws a JavaScript Error with `code`, `role` and `endpoint` properties that
// relay-native.ts turns into a RelaySetupError.
// `optionIndex` is the position of the rejected option in the socket's list.
napi_value ThrowSetupError(napi_env env, const std::string& message, int code, const char* role,
                           const std::string& endpoint, int optionIndex = -1) {
  napi_value error;
  napi_create_error(env, nullptr, String(env, message), &error);
  SetString(env, error, "code", ErrnoName(code));
  if (role != nullptr) SetString(env, error, "role", role);
  if (!endpoint.empty()) SetString(env, error, "endpoint", endpoint);
  if (optionIndex >= 0) {
    napi_value index;
    napi_create_int32(env, optionIndex, &index);
    napi_set_named_property(env, error, "optionIndex", index);
  }
  napi_throw(env, error);
  return nullptr;
}

bool GetProperty(napi_env env, napi_value object, const char* key, napi_value* result) {
  bool has = false;
  napi_has_named_property(env, object, key, &has);
  if (!has) return false;
  napi_get_named_property(env, object, key, result);
  napi_valuetype type;
  napi_typeof(env, *result, &type);
  return type != napi_undefined && type != napi_null;
}

std::string GetString(napi_env env, napi_value value) {
  size_t length = 0;
  napi_get_value_string_utf8(env, value, nullptr, 0, &length);
  std::string text(length, '\0');
  napi_get_value_string_utf8(env, value, &text[0], length + 1, &length);
  return text;
}

std::vector<napi_value> GetArray(napi_env env, napi_value array) {
  std::vector<napi_value> items;
  bool isArray = false;
  napi_is_array(env, array, &isArray);
  if (!isArray) return items;
  uint32_t length = 0;
  napi_get_array_length(env, array, &length);
  for (uint32_t i = 0; i < length; i++) {
    napi_value item;
    napi_get_element(env, array, i, &item);
    items.push_back(item);
  }
  return items;
}

// Returns the bytes of a Buffer or the UTF-8 bytes of a string.
std::string GetBytes(napi_env env, napi_value value) {
  bool isBuffer = false;
  napi_is_buffer(env, value, &isBuffer);
  if (isBuffer) {
    void* data = nullptr;
    size_t length = 0;
    napi_get_buffer_info(env, value, &data, &length);
    return std::string(static_cast<const char*>(data), length);
  }
  return GetString(env, value);
}

// ---- Setup ------------------------------------------------------------------

void CloseSockets(Relay* relay) {
  int linger = 0;
  for (auto& socket : relay->sockets) {
    if (socket == nullptr) continue;
    zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(socket);
    socket = nullptr;
  }
  if (relay->commandReceiver != nullptr) {
    zmq_setsockopt(relay->commandReceiver, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(relay->commandReceiver);
    relay->commandReceiver = nullptr;
  }
}

void Destroy(Relay* relay) {
  CloseSockets(relay);
  if (relay->commandSender != nullptr) {
    int linger = 0;
    zmq_setsockopt(relay->commandSender, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(relay->commandSender);
    relay->commandSender = nullptr;
  }
  if (relay->context != nullptr) {
    zmq_ctx_term(relay->context);
    relay->context = nullptr;
  }
}

// Applies one option given as [number, kind, value]. Returns 0 or errno.
int ApplyOption(napi_env env, void* socket, napi_value option, int* optionNumber) {
  auto parts = GetArray(env, option);
  if (parts.size() != 3) return EINVAL;
  int32_t number = 0;
  int32_t kind = 0;
  napi_get_value_int32(env, parts[0], &number);
  napi_get_value_int32(env, parts[1], &kind);
  *optionNumber = number;
  int rc = 0;
  switch (kind) {
    case kOptionInt: {
      int32_t value = 0;
      napi_get_value_int32(env, parts[2], &value);
      int native = value;
      rc = zmq_setsockopt(socket, number, &native, sizeof native);
      break;
    }
    case kOptionInt64: {
      int64_t value = 0;
      napi_get_value_int64(env, parts[2], &value);
      rc = zmq_setsockopt(socket, number, &value, sizeof value);
      break;
    }
    case kOptionUint64: {
      int64_t value = 0;
      napi_get_value_int64(env, parts[2], &value);
      uint64_t native = static_cast<uint64_t>(value);
      rc = zmq_setsockopt(socket, number, &native, sizeof native);
      break;
    }
    case kOptionBytes: {
      std::string bytes = GetBytes(env, parts[2]);
      rc = zmq_setsockopt(socket, number, bytes.data(), bytes.size());
      break;
    }
    case kOptionSendMessage: {
      std::string bytes = GetBytes(env, parts[2]);
      rc = zmq_send(socket, bytes.data(), bytes.size(), ZMQ_DONTWAIT) < 0 ? -1 : 0;
      break;
    }
    default:
      return EINVAL;
  }
  return rc == 0 ? 0 : zmq_errno();
}

std::string LastEndpoint(void* socket) {
  char buffer[1024];
  size_t length = sizeof buffer;
  if (zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, buffer, &length) != 0 || length == 0) return "";
  return std::string(buffer, strnlen(buffer, length));
}

void FinalizeRelay(napi_env env, void* data, void* hint);

// open({ sockets: [{ role, type, options: [[number, kind, value]], bind, connect }],
//        prefixIn, prefixOut, routerToRouter })
// Returns { handle, endpoints: { role: [resolved bind endpoints] } }.
napi_value Open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value spec;
  napi_get_cb_info(env, info, &argc, &spec, nullptr, nullptr);

  auto* relay = new Relay();
  relay->context = zmq_ctx_new();
  if (relay->context == nullptr) {
    int code = zmq_errno();
    delete relay;
    return ThrowSetupError(env, std::string("Cannot create a libzmq context: ") + zmq_strerror(code), code,
                           nullptr, "");
  }

  napi_value value;
  if (GetProperty(env, spec, "prefixIn", &value)) relay->prefix[0] = GetBytes(env, value);
  if (GetProperty(env, spec, "prefixOut", &value)) relay->prefix[1] = GetBytes(env, value);
  if (GetProperty(env, spec, "routerToRouter", &value)) napi_get_value_bool(env, value, &relay->routerToRouter);

  napi_value endpoints;
  napi_create_object(env, &endpoints);

  napi_value socketList;
  GetProperty(env, spec, "sockets", &socketList);
  for (napi_value socketSpec : GetArray(env, socketList)) {
    napi_get_named_property(env, socketSpec, "role", &value);
    std::string roleName = GetString(env, value);
    int role = -1;
    for (int i = 0; i < kRoleCount; i++) {
      if (roleName == kRoleNames[i]) role = i;
    }
    int32_t type = 0;
    napi_get_named_property(env, socketSpec, "type", &value);
    napi_get_value_int32(env, value, &type);
    if (role < 0) {
      Destroy(relay);
      delete relay;
      return ThrowSetupError(env, "Unknown socket role \"" + roleName + "\".", EINVAL, nullptr, "");
    }
    const char* roleText = kRoleNames[role];

    void* socket = zmq_socket(relay->context, type);
    if (socket == nullptr) {
      int code = zmq_errno();
      Destroy(relay);
      delete relay;
      return ThrowSetupError(env, std::string("Cannot create the socket: ") + zmq_strerror(code), code, roleText,
                             "");
    }
    relay->sockets[role] = socket;
    if (role == kCtrl) relay->ctrlType = type;

    napi_value options;
    if (GetProperty(env, socketSpec, "options", &options)) {
      auto list = GetArray(env, options);
      for (size_t index = 0; index < list.size(); index++) {
        int number = 0;
        int code = ApplyOption(env, socket, list[index], &number);
        if (code != 0) {
          Destroy(relay);
          delete relay;
          return ThrowSetupError(env, "Cannot set option " + std::to_string(number) + ": " + zmq_strerror(code),
                                 code, roleText, "", static_cast<int>(index));
        }
      }
    }

    napi_value resolved;
    napi_create_array(env, &resolved);
    uint32_t resolvedCount = 0;
    napi_value list;
    if (GetProperty(env, socketSpec, "bind", &list)) {
      for (napi_value item : GetArray(env, list)) {
        std::string endpoint = GetString(env, item);
        if (zmq_bind(socket, endpoint.c_str()) != 0) {
          int code = zmq_errno();
          Destroy(relay);
          delete relay;
          return ThrowSetupError(env, std::string("Cannot bind: ") + zmq_strerror(code), code, roleText, endpoint);
        }
        // ZMQ_LAST_ENDPOINT contains the endpoint of this bind with a wildcard
        // port replaced by the port the kernel chose.
        std::string actual = LastEndpoint(socket);
        napi_set_element(env, resolved, resolvedCount++, String(env, actual.empty() ? endpoint : actual));
      }
    }
    napi_set_named_property(env, endpoints, roleText, resolved);

    if (GetProperty(env, socketSpec, "connect", &list)) {
      for (napi_value item : GetArray(env, list)) {
        std::string endpoint = GetString(env, item);
        if (zmq_connect(socket, endpoint.c_str()) != 0) {
          int code = zmq_errno();
          Destroy(relay);
          delete relay;
          return ThrowSetupError(env, std::string("Cannot connect: ") + zmq_strerror(code), code, roleText,
                                 endpoint);
        }
      }
    }
  }

  if (relay->sockets[kIn] == nullptr || relay->sockets[kOut] == nullptr) {
    Destroy(relay);
    delete relay;
    return ThrowSetupError(env, "A device needs an in and an out socket.", EINVAL, nullptr, "");
  }

  // The command pair: its inproc name is unique because the context is private.
  relay->commandReceiver = zmq_socket(relay->context, ZMQ_PAIR);
  relay->commandSender = zmq_socket(relay->context, ZMQ_PAIR);
  if (relay->commandReceiver == nullptr || relay->commandSender == nullptr ||
      zmq_bind(relay->commandReceiver, "inproc://switchyard-relay-commands") != 0 ||
      zmq_connect(relay->commandSender, "inproc://switchyard-relay-commands") != 0) {
    int code = zmq_errno();
    Destroy(relay);
    delete relay;
    return ThrowSetupError(env, std::string("Cannot create the relay's command pair: ") + zmq_strerror(code), code,
                           nullptr, "");
  }

  napi_value result;
  napi_value handle;
  napi_create_object(env, &result);
  napi_create_external(env, relay, FinalizeRelay, nullptr, &handle);
  napi_set_named_property(env, result, "handle", handle);
  napi_set_named_property(env, result, "endpoints", endpoints);
  return result;
}

// ---- Relay thread -------------------------------------------------------------

void CloseFrames(std::vector<zmq_msg_t>& frames, size_t from = 0) {
  for (size_t i = from; i < frames.size(); i++) zmq_msg_close(&frames[i]);
  frames.clear();
}

// Sends the monitor copy [prefix, frames...] without blocking. A copy that the
// monitor socket does not accept is dropped and counted.
void SendMonitorCopy(Relay* relay, const std::string& prefix, std::vector<zmq_msg_t>& copies) {
  void* monitor = relay->sockets[kMon];
  zmq_msg_t first;
  zmq_msg_init_size(&first, prefix.size());
  if (!prefix.empty()) memcpy(zmq_msg_data(&first), prefix.data(), prefix.size());
  int flags = ZMQ_DONTWAIT | (copies.empty() ? 0 : ZMQ_SNDMORE);
  if (zmq_msg_send(&first, monitor, flags) < 0) {
    zmq_msg_close(&first);
    CloseFrames(copies);
    Add(relay, kMonitorDropped, 1);
    return;
  }
  for (size_t i = 0; i < copies.size(); i++) {
    flags = ZMQ_DONTWAIT | (i + 1 < copies.size() ? ZMQ_SNDMORE : 0);
    if (zmq_msg_send(&copies[i], monitor, flags) < 0) {
      // The first frame went out, so libzmq accepts the rest of the message
      // unless the socket is closing. Count the message as dropped then.
      CloseFrames(copies, i);
      Add(relay, kMonitorDropped, 1);
      return;
    }
  }
  copies.clear();
  Add(relay, kMonitorSent, 1);
}

enum SendResult { kSent, kWouldBlock, kDropped, kFatal };

// Sends the held message of `direction`. On EAGAIN of the first frame the
// message stays held and the caller waits for POLLOUT.
SendResult SendMessage(Relay* relay, Direction& direction, std::vector<zmq_msg_t>& copies) {
  auto& frames = direction.pending;
  bool monitored = relay->sockets[kMon] != nullptr;
  if (monitored) {
    copies.resize(frames.size());
    for (size_t i = 0; i < frames.size(); i++) {
      zmq_msg_init(&copies[i]);
      zmq_msg_copy(&copies[i], &frames[i]);
    }
  }

  uint64_t bytes = 0;
  for (size_t i = 0; i < frames.size(); i++) {
    size_t size = zmq_msg_size(&frames[i]);
    int flags = ZMQ_DONTWAIT | (i + 1 < frames.size() ? ZMQ_SNDMORE : 0);
    if (zmq_msg_send(&frames[i], direction.to, flags) >= 0) {
      bytes += size;
      continue;
    }
    int code = zmq_errno();
    if (monitored) CloseFrames(copies);
    if (i == 0 && code == EAGAIN) return kWouldBlock;
    CloseFrames(frames, i);
    direction.hasPending = false;
    if (code == EHOSTUNREACH) {
      Add(relay, kUnroutable, 1);
      return kDropped;
    }
    if (code == EAGAIN) return kDropped;
    Emit(relay, kEventLog, "error", std::string("The relay stopped because a send failed: ") + zmq_strerror(code));
    return kFatal;
  }
  frames.clear();
  direction.hasPending = false;
  Add(relay, direction.toMessages, 1);
  Add(relay, direction.toBytes, bytes);
  if (monitored) SendMonitorCopy(relay, *direction.prefix, copies);
  return kSent;
}

// Reads whole messages from `direction.from` and sends each on, at most one
// burst per call. Returns false when the relay must stop.
bool Forward(Relay* relay, Direction& direction, std::vector<zmq_msg_t>& copies) {
  const int burst = relay->sockets[kMon] != nullptr ? kMonitoredBurst : kBurst;
  for (int n = 0; n < burst; n++) {
    auto& frames = direction.pending;
    uint64_t bytes = 0;
    bool more = true;
    while (more) {
      frames.emplace_back();
      zmq_msg_t& frame = frames.back();
      zmq_msg_init(&frame);
      // Only the first frame may be missing; the rest of a multipart message
      // arrives with it.
      int flags = frames.size() == 1 ? ZMQ_DONTWAIT : 0;
      if (zmq_msg_recv(&frame, direction.from, flags) < 0) {
        int code = zmq_errno();
        zmq_msg_close(&frame);
        frames.pop_back();
        if (code == EAGAIN && frames.empty()) return true;
        CloseFrames(frames);
        if (code == EINTR) return true;
        Emit(relay, kEventLog, "error", std::string("The relay stopped because a receive failed: ") +
                                            zmq_strerror(code));
        return false;
      }
      bytes += zmq_msg_size(&frame);
      more = zmq_msg_more(&frame) != 0;
    }
    Add(relay, direction.fromMessages, 1);
    Add(relay, direction.fromBytes, bytes);
    if (relay->routerToRouter && frames.size() >= 2) std::swap(frames[0], frames[1]);
    direction.hasPending = true;

    SendResult result = SendMessage(relay, direction, copies);
    if (result == kFatal) return false;
    if (result == kWouldBlock) return true;
  }
  return true;
}

void SendStatistics(Relay* relay, void* control) {
  for (int i = 0; i < 8; i++) {
    uint64_t value = relay->counters[i].load(std::memory_order_relaxed);
    zmq_send(control, &value, sizeof value, i < 7 ? ZMQ_SNDMORE : 0);
  }
}

enum Command { kCommandNone, kCommandPause, kCommandResume, kCommandStop, kCommandTerminate };

// Reads one ctrl command. A REP ctrl socket gets an empty reply to PAUSE,
// RESUME, TERMINATE and unknown commands, as the zmq_proxy_steerable manual
// documents, so the requester can send the next one.
Command ReadControl(Relay* relay) {
  void* control = relay->sockets[kCtrl];
  std::string text;
  bool more = true;
  bool first = true;
  while (more) {
    zmq_msg_t frame;
    zmq_msg_init(&frame);
    if (zmq_msg_recv(&frame, control, ZMQ_DONTWAIT) < 0) {
      zmq_msg_close(&frame);
      return kCommandNone;
    }
    if (first) text.assign(static_cast<const char*>(zmq_msg_data(&frame)), zmq_msg_size(&frame));
    first = false;
    more = zmq_msg_more(&frame) != 0;
    zmq_msg_close(&frame);
  }

  Command command = kCommandNone;
  if (text == "PAUSE") {
    command = kCommandPause;
  } else if (text == "RESUME") {
    command = kCommandResume;
  } else if (text == "TERMINATE") {
    command = kCommandTerminate;
  } else if (text == "STATISTICS") {
    SendStatistics(relay, control);
    return kCommandNone;
  } else {
    Emit(relay, kEventLog, "warn",
         "Ignored an unknown ctrl command of " + std::to_string(text.size()) +
             " bytes. Send PAUSE, RESUME, TERMINATE or STATISTICS.");
  }
  if (relay->ctrlType == ZMQ_REP) zmq_send(control, "", 0, 0);
  return command;
}

Command ReadCommand(Relay* relay) {
  char buffer[16];
  int size = zmq_recv(relay->commandReceiver, buffer, sizeof buffer, ZMQ_DONTWAIT);
  if (size < 1) return kCommandNone;
  return static_cast<Command>(buffer[0]);
}

// Runs until a stop command ("stop"), a TERMINATE on the ctrl socket
// ("terminate") or a libzmq failure ("error"), then closes the device's
// sockets and reports the reason as the done event.
void RunRelay(Relay* relay) {
  Direction forward{relay->sockets[kIn], relay->sockets[kOut], kInReceivedMessages, kInReceivedBytes,
                    kOutSentMessages, kOutSentBytes, &relay->prefix[0], {}, false};
  Direction backward{relay->sockets[kOut], relay->sockets[kIn], kOutReceivedMessages, kOutReceivedBytes,
                     kInSentMessages, kInSentBytes, &relay->prefix[1], {}, false};
  forward.pending.reserve(8);
  backward.pending.reserve(8);
  std::vector<zmq_msg_t> copies;
  copies.reserve(8);

  bool paused = false;
  const char* reason = "stop";
  bool running = true;
  while (running) {
    zmq_pollitem_t items[4];
    int count = 0;
    items[count++] = {relay->commandReceiver, 0, ZMQ_POLLIN, 0};
    int controlIndex = -1;
    if (relay->sockets[kCtrl] != nullptr) {
      controlIndex = count;
      items[count++] = {relay->sockets[kCtrl], 0, ZMQ_POLLIN, 0};
    }
    int inIndex = count;
    int outIndex = count + 1;
    short inEvents = 0;
    short outEvents = 0;
    if (!paused) {
      // A held message waits for POLLOUT on its destination instead of more
      // reads from its source: that is the relay's backpressure.
      // NOTE: a ROUTER with router_mandatory reports POLLOUT while any peer
      // has room, so a message held for one full peer is retried in a busy
      // loop until that peer drains. It costs CPU but never drops the message.
      inEvents = (forward.hasPending ? 0 : ZMQ_POLLIN) | (backward.hasPending ? ZMQ_POLLOUT : 0);
      outEvents = (backward.hasPending ? 0 : ZMQ_POLLIN) | (forward.hasPending ? ZMQ_POLLOUT : 0);
    }
    items[count++] = {relay->sockets[kIn], 0, inEvents, 0};
    items[count++] = {relay->sockets[kOut], 0, outEvents, 0};

    if (zmq_poll(items, count, -1) < 0) {
      int code = zmq_errno();
      if (code == EINTR) continue;
      Emit(relay, kEventLog, "error", std::string("The relay stopped because zmq_poll failed: ") + zmq_strerror(code));
      reason = "error";
      break;
    }

    Command commands[2] = {kCommandNone, kCommandNone};
    if (items[0].revents & ZMQ_POLLIN) commands[0] = ReadCommand(relay);
    if (controlIndex >= 0 && (items[controlIndex].revents & ZMQ_POLLIN)) commands[1] = ReadControl(relay);
    for (Command command : commands) {
      // Every PAUSE and RESUME is reported, also one that changes nothing,
      // so the worker can confirm each request.
      if (command == kCommandPause) {
        paused = true;
        Emit(relay, kEventPaused);
      } else if (command == kCommandResume) {
        paused = false;
        Emit(relay, kEventResumed);
      } else if (command == kCommandStop) {
        running = false;
      } else if (command == kCommandTerminate) {
        running = false;
        reason = "terminate";
      }
    }
    if (!running || paused) continue;

    short inReady = items[inIndex].revents;
    short outReady = items[outIndex].revents;
    bool ok = true;
    if (ok && forward.hasPending && (outReady & ZMQ_POLLOUT)) ok = SendMessage(relay, forward, copies) != kFatal;
    if (ok && backward.hasPending && (inReady & ZMQ_POLLOUT)) ok = SendMessage(relay, backward, copies) != kFatal;
    if (ok && !forward.hasPending && (inReady & ZMQ_POLLIN)) ok = Forward(relay, forward, copies);
    if (ok && !backward.hasPending && (outReady & ZMQ_POLLIN)) ok = Forward(relay, backward, copies);
    if (!ok) {
      reason = "error";
      break;
    }
  }

  CloseFrames(forward.pending);
  CloseFrames(backward.pending);
  CloseSockets(relay);
  Emit(relay, kEventDone, "", reason);
}

// ---- Events to JavaScript -----------------------------------------------------

void CallEvents(napi_env env, napi_value callback, void* /*context*/, void* data) {
  auto* event = static_cast<LogEvent*>(data);
  if (env != nullptr && callback != nullptr) {
    static const char* const names[] = {"paused", "resumed", "log", "done"};
    napi_value args[3] = {String(env, names[event->event]), String(env, event->level), String(env, event->message)};
    napi_call_function(env, Undefined(env), callback, 3, args, nullptr);
  }
  delete event;
}

Relay* GetRelay(napi_env env, napi_value handle) {
  void* data = nullptr;
  if (napi_get_value_external(env, handle, &data) != napi_ok) {
    napi_throw_type_error(env, nullptr, "Expected a relay handle from open().");
    return nullptr;
  }
  return static_cast<Relay*>(data);
}

void SendCommand(Relay* relay, Command command) {
  if (relay->commandSender == nullptr) return;
  char byte = static_cast<char>(command);
  zmq_send(relay->commandSender, &byte, 1, ZMQ_DONTWAIT);
}

void JoinAndDestroy(Relay* relay) {
  if (relay->started && !relay->joined) {
    SendCommand(relay, kCommandStop);
    relay->thread.join();
    relay->joined = true;
  }
  Destroy(relay);
}

void FinalizeRelay(napi_env /*env*/, void* data, void* /*hint*/) {
  auto* relay = static_cast<Relay*>(data);
  JoinAndDestroy(relay);
  delete relay;
}

// start(handle, onEvent(name, level, message))
napi_value Start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  Relay* relay = GetRelay(env, args[0]);
  if (relay == nullptr) return nullptr;
  if (relay->started || relay->context == nullptr) {
    napi_throw_error(env, nullptr, "The relay was already started or closed.");
    return nullptr;
  }
  napi_value name = String(env, "switchyard-relay");
  napi_create_threadsafe_function(env, args[1], nullptr, name, 0, 1, nullptr, nullptr, nullptr, CallEvents,
                                  &relay->events);
  relay->started = true;
  relay->thread = std::thread(RunRelay, relay);
  return Undefined(env);
}

napi_value SendSimpleCommand(napi_env env, napi_callback_info info, Command command) {
  size_t argc = 1;
  napi_value handle;
  napi_get_cb_info(env, info, &argc, &handle, nullptr, nullptr);
  Relay* relay = GetRelay(env, handle);
  if (relay == nullptr) return nullptr;
  SendCommand(relay, command);
  return Undefined(env);
}

napi_value Pause(napi_env env, napi_callback_info info) { return SendSimpleCommand(env, info, kCommandPause); }
napi_value Resume(napi_env env, napi_callback_info info) { return SendSimpleCommand(env, info, kCommandResume); }
napi_value Stop(napi_env env, napi_callback_info info) { return SendSimpleCommand(env, info, kCommandStop); }

// close(handle): joins the relay thread (after stop() or TERMINATE it exits
// at once), closes every socket and terminates the context. Idempotent.
napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value handle;
  napi_get_cb_info(env, info, &argc, &handle, nullptr, nullptr);
  Relay* relay = GetRelay(env, handle);
  if (relay == nullptr) return nullptr;
  JoinAndDestroy(relay);
  if (relay->events != nullptr) {
    napi_release_threadsafe_function(relay->events, napi_tsfn_release);
    relay->events = nullptr;
  }
  return Undefined(env);
}

// counters(handle): a Float64Array in the order of the Counter enum.
napi_value Counters(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value handle;
  napi_get_cb_info(env, info, &argc, &handle, nullptr, nullptr);
  Relay* relay = GetRelay(env, handle);
  if (relay == nullptr) return nullptr;
  void* data = nullptr;
  napi_value buffer;
  napi_value array;
  napi_create_arraybuffer(env, kCounterCount * sizeof(double), &data, &buffer);
  auto* values = static_cast<double*>(data);
  for (int i = 0; i < kCounterCount; i++) {
    values[i] = static_cast<double>(relay->counters[i].load(std::memory_order_relaxed));
  }
  napi_create_typedarray(env, napi_float64_array, kCounterCount, buffer, 0, &array);
  return array;
}

napi_value Version(napi_env env, napi_callback_info /*info*/) {
  int major = 0, minor = 0, patch = 0;
  zmq_version(&major, &minor, &patch);
  return String(env, std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch));
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"open", nullptr, Open, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"start", nullptr, Start, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pause", nullptr, Pause, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"resume", nullptr, Resume, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"stop", nullptr, Stop, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"close", nullptr, Close, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"counters", nullptr, Counters, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"zmqVersion", nullptr, Version, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
