// Load generator for the benchmark (bench/): blocking libzmq senders and
// receivers in C++ threads, so that the generator is not what limits the
// device under test. Both functions block the calling thread; bench/run.ts
// calls them in a child process of their own.

#include <node_api.h>
#include <zmq.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// First byte of the last payload frame: warm-up messages are skipped by the
// receivers, data messages are counted.
constexpr char kWarmUpMark = 'W';
constexpr char kDataMark = 'D';

struct Options {
  std::string senderEndpoint;
  int senderType = ZMQ_DEALER;
  bool senderBind = false;
  std::string receiverEndpoint;
  int receiverType = ZMQ_DEALER;
  bool receiverBind = false;
  std::string monitorEndpoint;
  std::string monitorPrefix;
  int monitorFrames = 0;
  int count = 0;
  int frames = 1;
  int size = 64;
  int timeoutMs = 10000;
};

napi_value Number(napi_env env, double value) {
  napi_value result;
  napi_create_double(env, value, &result);
  return result;
}

bool ReadProperty(napi_env env, napi_value object, const char* key, napi_value* value) {
  bool has = false;
  napi_has_named_property(env, object, key, &has);
  if (!has) return false;
  napi_get_named_property(env, object, key, value);
  napi_valuetype type;
  napi_typeof(env, *value, &type);
  return type != napi_undefined && type != napi_null;
}

void ReadString(napi_env env, napi_value object, const char* key, std::string* target) {
  napi_value value;
  if (!ReadProperty(env, object, key, &value)) return;
  size_t length = 0;
  napi_get_value_string_utf8(env, value, nullptr, 0, &length);
  target->assign(length, '\0');
  napi_get_value_string_utf8(env, value, &(*target)[0], length + 1, &length);
}

void ReadInt(napi_env env, napi_value object, const char* key, int* target) {
  napi_value value;
  if (!ReadProperty(env, object, key, &value)) return;
  int32_t number = 0;
  napi_get_value_int32(env, value, &number);
  *target = number;
}

void ReadBool(napi_env env, napi_value object, const char* key, bool* target) {
  napi_value value;
  if (ReadProperty(env, object, key, &value)) napi_get_value_bool(env, value, target);
}

Options ReadOptions(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value object;
  napi_get_cb_info(env, info, &argc, &object, nullptr, nullptr);
  Options options;
  ReadString(env, object, "senderEndpoint", &options.senderEndpoint);
  ReadInt(env, object, "senderType", &options.senderType);
  ReadBool(env, object, "senderBind", &options.senderBind);
  ReadString(env, object, "receiverEndpoint", &options.receiverEndpoint);
  ReadInt(env, object, "receiverType", &options.receiverType);
  ReadBool(env, object, "receiverBind", &options.receiverBind);
  ReadString(env, object, "monitorEndpoint", &options.monitorEndpoint);
  ReadString(env, object, "monitorPrefix", &options.monitorPrefix);
  ReadInt(env, object, "monitorFrames", &options.monitorFrames);
  ReadInt(env, object, "count", &options.count);
  ReadInt(env, object, "frames", &options.frames);
  ReadInt(env, object, "size", &options.size);
  ReadInt(env, object, "timeoutMs", &options.timeoutMs);
  return options;
}

void* OpenSocket(void* context, int type, const std::string& endpoint, bool bind, int timeoutMs) {
  void* socket = zmq_socket(context, type);
  int linger = 0;
  zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger);
  zmq_setsockopt(socket, ZMQ_RCVTIMEO, &timeoutMs, sizeof timeoutMs);
  zmq_setsockopt(socket, ZMQ_SNDTIMEO, &timeoutMs, sizeof timeoutMs);
  if (type == ZMQ_SUB) zmq_setsockopt(socket, ZMQ_SUBSCRIBE, "", 0);
  int rc = bind ? zmq_bind(socket, endpoint.c_str()) : zmq_connect(socket, endpoint.c_str());
  if (rc != 0) {
    zmq_close(socket);
    return nullptr;
  }
  return socket;
}

// Sends one message of `frames` frames of `size` bytes; the last frame starts with `mark`.
bool SendMessage(void* socket, const std::vector<char>& payload, int frames, char mark) {
  for (int i = 0; i < frames; i++) {
    bool last = i + 1 == frames;
    zmq_msg_t frame;
    zmq_msg_init_size(&frame, payload.size());
    memcpy(zmq_msg_data(&frame), payload.data(), payload.size());
    if (last && !payload.empty()) static_cast<char*>(zmq_msg_data(&frame))[0] = mark;
    if (zmq_msg_send(&frame, socket, last ? 0 : ZMQ_SNDMORE) < 0) {
      zmq_msg_close(&frame);
      return false;
    }
  }
  return true;
}

struct Received {
  bool ok = false;         // a whole message arrived before the timeout
  char mark = 0;           // first byte of the last frame
  int frames = 0;
  std::string firstFrame;  // only filled when `keepFirst`
};

Received ReceiveMessage(void* socket, bool keepFirst) {
  Received received;
  bool more = true;
  while (more) {
    zmq_msg_t frame;
    zmq_msg_init(&frame);
    if (zmq_msg_recv(&frame, socket, 0) < 0) {
      zmq_msg_close(&frame);
      return received;
    }
    if (keepFirst && received.frames == 0) {
      received.firstFrame.assign(static_cast<const char*>(zmq_msg_data(&frame)), zmq_msg_size(&frame));
    }
    received.frames++;
    more = zmq_msg_more(&frame) != 0;
    received.mark = zmq_msg_size(&frame) > 0 ? static_cast<const char*>(zmq_msg_data(&frame))[0] : 0;
    zmq_msg_close(&frame);
  }
  received.ok = true;
  return received;
}

// stream(options): sends `count` messages and receives them on the other
// side, optionally also counting the monitor copies. Returns
// { sent, received, seconds, monitorReceived, monitorMalformed, timedOut }.
napi_value Stream(napi_env env, napi_callback_info info) {
  Options options = ReadOptions(env, info);
  void* context = zmq_ctx_new();
  void* receiver = OpenSocket(context, options.receiverType, options.receiverEndpoint, options.receiverBind,
                              options.timeoutMs);
  void* monitor = options.monitorEndpoint.empty()
                      ? nullptr
                      : OpenSocket(context, ZMQ_SUB, options.monitorEndpoint, false, options.timeoutMs);
  void* sender = OpenSocket(context, options.senderType, options.senderEndpoint, options.senderBind,
                            options.timeoutMs);
  if (receiver == nullptr || sender == nullptr || (!options.monitorEndpoint.empty() && monitor == nullptr)) {
    napi_throw_error(env, nullptr, (std::string("Cannot open the generator's sockets: ") + zmq_strerror(zmq_errno())).c_str());
    return nullptr;
  }

  std::vector<char> payload(options.size, 'x');

  // Warm-up: send marked messages until one went through (and one monitor
  // copy arrived), so the timed run does not include connection setup or the
  // SUB socket's subscription delay.
  int warmUpTimeout = 20;
  zmq_setsockopt(receiver, ZMQ_RCVTIMEO, &warmUpTimeout, sizeof warmUpTimeout);
  if (monitor) zmq_setsockopt(monitor, ZMQ_RCVTIMEO, &warmUpTimeout, sizeof warmUpTimeout);
  bool through = false;
  bool monitored = monitor == nullptr;
  auto warmUpDeadline = Clock::now() + std::chrono::milliseconds(options.timeoutMs);
  while ((!through || !monitored) && Clock::now() < warmUpDeadline) {
    SendMessage(sender, payload, options.frames, kWarmUpMark);
    if (ReceiveMessage(receiver, false).ok) through = true;
    if (monitor && ReceiveMessage(monitor, false).ok) monitored = true;
  }
  zmq_setsockopt(receiver, ZMQ_RCVTIMEO, &options.timeoutMs, sizeof options.timeoutMs);
  if (monitor) zmq_setsockopt(monitor, ZMQ_RCVTIMEO, &options.timeoutMs, sizeof options.timeoutMs);

  std::atomic<int64_t> received{0};
  std::atomic<bool> receiverDone{false};
  Clock::time_point lastReceive;
  auto start = Clock::now();
  std::thread receiving([&] {
    int64_t count = 0;
    while (count < options.count) {
      Received message = ReceiveMessage(receiver, false);
      if (!message.ok) break;
      if (message.mark == kDataMark) {
        count++;
        lastReceive = Clock::now();
      }
    }
    received = count;
    receiverDone = true;
  });

  std::atomic<int64_t> monitorReceived{0};
  std::atomic<int64_t> monitorMalformed{0};
  std::thread monitoring;
  if (monitor) {
    // The monitor may drop copies (PUB at its high-water mark), so this
    // thread ends 500 ms after the last one rather than after `count`.
    int idle = 500;
    zmq_setsockopt(monitor, ZMQ_RCVTIMEO, &idle, sizeof idle);
    monitoring = std::thread([&] {
      int64_t count = 0;
      while (count < options.count) {
        Received message = ReceiveMessage(monitor, true);
        if (!message.ok) {
          if (receiverDone) break;
          continue;
        }
        if (message.mark != kDataMark) continue;
        count++;
        if (message.firstFrame != options.monitorPrefix ||
            (options.monitorFrames > 0 && message.frames != options.monitorFrames)) {
          monitorMalformed++;
        }
      }
      monitorReceived = count;
    });
  }

  int64_t sent = 0;
  for (; sent < options.count; sent++) {
    if (!SendMessage(sender, payload, options.frames, kDataMark)) break;
  }
  receiving.join();
  if (monitoring.joinable()) monitoring.join();

  double seconds = std::chrono::duration<double>(lastReceive - start).count();
  zmq_close(sender);
  zmq_close(receiver);
  if (monitor) zmq_close(monitor);
  zmq_ctx_term(context);

  napi_value result;
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "sent", Number(env, static_cast<double>(sent)));
  napi_set_named_property(env, result, "received", Number(env, static_cast<double>(received.load())));
  napi_set_named_property(env, result, "seconds", Number(env, received.load() > 0 ? seconds : 0));
  napi_set_named_property(env, result, "monitorReceived", Number(env, static_cast<double>(monitorReceived.load())));
  napi_set_named_property(env, result, "monitorMalformed", Number(env, static_cast<double>(monitorMalformed.load())));
  napi_value timedOut;
  napi_get_boolean(env, received.load() < options.count, &timedOut);
  napi_set_named_property(env, result, "timedOut", timedOut);
  return result;
}

// latency(options): `count` request-reply round trips from a sender socket
// (REQ or DEALER, connected to senderEndpoint) to an echo socket (REP,
// connected to or bound at receiverEndpoint). Returns { count, medianUs,
// p99Us, meanUs, timedOut }.
napi_value Latency(napi_env env, napi_callback_info info) {
  Options options = ReadOptions(env, info);
  void* context = zmq_ctx_new();
  int pollTimeout = 100;
  void* echo = OpenSocket(context, options.receiverType, options.receiverEndpoint, options.receiverBind, pollTimeout);
  void* client = OpenSocket(context, options.senderType, options.senderEndpoint, options.senderBind,
                            options.timeoutMs);
  if (echo == nullptr || client == nullptr) {
    napi_throw_error(env, nullptr, (std::string("Cannot open the generator's sockets: ") + zmq_strerror(zmq_errno())).c_str());
    return nullptr;
  }

  std::atomic<bool> stopping{false};
  std::thread echoing([&] {
    std::vector<zmq_msg_t> frames;
    while (!stopping) {
      frames.clear();
      bool more = true;
      bool ok = true;
      while (more) {
        frames.emplace_back();
        zmq_msg_init(&frames.back());
        if (zmq_msg_recv(&frames.back(), echo, 0) < 0) {
          ok = false;
          break;
        }
        more = zmq_msg_more(&frames.back()) != 0;
      }
      if (!ok) {
        for (auto& frame : frames) zmq_msg_close(&frame);
        continue;
      }
      for (size_t i = 0; i < frames.size(); i++) {
        if (zmq_msg_send(&frames[i], echo, i + 1 < frames.size() ? ZMQ_SNDMORE : 0) < 0) zmq_msg_close(&frames[i]);
      }
    }
  });

  std::vector<char> payload(options.size, 'x');
  bool dealer = options.senderType == ZMQ_DEALER;
  auto roundTrip = [&](char mark) {
    // A DEALER client adds the empty delimiter frame that a REQ socket adds itself.
    if (dealer && zmq_send(client, "", 0, ZMQ_SNDMORE) < 0) return false;
    if (!SendMessage(client, payload, options.frames, mark)) return false;
    return ReceiveMessage(client, false).ok;
  };

  int warmUp = std::min(100, options.count);
  bool timedOut = false;
  for (int i = 0; i < warmUp && !timedOut; i++) timedOut = !roundTrip(kWarmUpMark);

  std::vector<double> micros;
  micros.reserve(options.count);
  for (int i = 0; i < options.count && !timedOut; i++) {
    auto before = Clock::now();
    if (!roundTrip(kDataMark)) {
      timedOut = true;
      break;
    }
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - before).count());
  }
  stopping = true;
  echoing.join();
  zmq_close(client);
  zmq_close(echo);
  zmq_ctx_term(context);

  double median = 0;
  double p99 = 0;
  double mean = 0;
  if (!micros.empty()) {
    for (double value : micros) mean += value;
    mean /= micros.size();
    std::sort(micros.begin(), micros.end());
    median = micros[micros.size() / 2];
    p99 = micros[std::min(micros.size() - 1, static_cast<size_t>(micros.size() * 0.99))];
  }
  napi_value result;
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "count", Number(env, static_cast<double>(micros.size())));
  napi_set_named_property(env, result, "medianUs", Number(env, median));
  napi_set_named_property(env, result, "p99Us", Number(env, p99));
  napi_set_named_property(env, result, "meanUs", Number(env, mean));
  napi_value flag;
  napi_get_boolean(env, timedOut, &flag);
  napi_set_named_property(env, result, "timedOut", flag);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"stream", nullptr, Stream, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"latency", nullptr, Latency, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, 2, properties);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
