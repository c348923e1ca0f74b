"""Media as Gemma 4 takes it: image and audio files decoded, frames and speech preprocessed.

Decoding (OpenCV, soundfile), the image processor's resize and patches, and the audio feature
extractor's log-mel live here, apart from the runtime, because perception needs them without a
model: a camera frame is decoded and a microphone chunk resampled long before anything is asked.
The runtime's encoders (:mod:`gemma4_ros.runtime.media_encoders`) import them, never the reverse.
"""
